// Starts Swagger UI on the gateway's own document; a file of its own so the page needs no inline script.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
});
