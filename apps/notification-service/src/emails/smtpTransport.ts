import nodemailer from 'nodemailer';
import type { ComposedEmail } from './composeInvoiceEmail';

export interface OutgoingEmail extends ComposedEmail {
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

export interface SmtpTransport {
  /** Hands the email to the SMTP server; answers its response line, throws what it refused or could not reach. */
  send(email: OutgoingEmail): Promise<string>;
  close(): void;
}

/** An SMTP client for `smtpUrl` (`smtp://user:pass@host:port`, `smtps://…`), each stage of a send cut at `timeoutMs`. */
export function smtpTransport(smtpUrl: string, timeoutMs: number): SmtpTransport {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    async send(email) {
      const info = await transport.sendMail(email);
      return String(info.response);
    },
    close: () => transport.close(),
  };
}
