import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/*
 * The PDF's fonts. DejaVu Sans Condensed (about Helvetica's width, so the table's columns hold what they did) draws
 * Latin, Greek and Cyrillic; PDF's standard fonts cover Latin-1 only. DejaVu has no Chinese or Japanese glyphs, so
 * runs of those scripts are drawn in Noto Sans SC (its Han, kana and CJK punctuation), from the
 * @expo-google-fonts/noto-sans-sc package (SIL Open Font License 1.1). Both are embedded as subsets of the glyphs
 * used. Hangul is in neither.
 */

const resolve = createRequire(import.meta.url).resolve;
const dejaVu = (name: string) => readFileSync(resolve(`dejavu-fonts-ttf/ttf/${name}`));
const fonts = { regular: dejaVu('DejaVuSansCondensed.ttf'), bold: dejaVu('DejaVuSansCondensed-Bold.ttf') };
/** Noto Sans SC is 10 MB a weight: read on the first invoice that needs it, then kept. */
const noto: Partial<Record<'regular' | 'bold', Buffer>> = {};
const notoFile = { regular: '400Regular/NotoSansSC_400Regular.ttf', bold: '700Bold/NotoSansSC_700Bold.ttf' };

export const regular = 'DejaVuSansCondensed';
export const bold = 'DejaVuSansCondensed-Bold';
const cjkFontOf = { [regular]: 'NotoSansSC-Regular', [bold]: 'NotoSansSC-Bold' } as const;
export type PdfFont = typeof regular | typeof bold;

// Han (with its radicals and extensions), kana, bopomofo, CJK symbols and punctuation, fullwidth forms.
const cjk =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\u3000-\u303f\uff00-\uffef\ufe30-\ufe4f]/u;
const cjkRuns = new RegExp(`(${cjk.source}+)`, 'u');

export function registerPdfFonts(document: PDFKit.PDFDocument): void {
  document.registerFont(regular, fonts.regular);
  document.registerFont(bold, fonts.bold);
}

/** The text in runs of one font each: `cjk` runs are those DejaVu cannot draw. */
export function scriptRuns(text: string): { text: string; cjk: boolean }[] {
  return text
    .split(cjkRuns)
    .filter((run) => run !== '')
    .map((run) => ({ text: run, cjk: cjk.test(run) }));
}

export const hasCjk = (text: string): boolean => cjk.test(text);

/** The font for a piece of text all in one font (a table cell): the CJK font when any of it is CJK. */
export function fontFor(document: PDFKit.PDFDocument, text: string, font: PdfFont): string {
  return hasCjk(text) ? cjkFont(document, font) : font;
}

/** `document.text(text, x, y, options)` in `font`, its CJK runs in the CJK font, on the same lines. */
export function writeText(
  document: PDFKit.PDFDocument,
  text: string,
  font: PdfFont,
  at: { x: number; y: number },
  options: PDFKit.Mixins.TextOptions = {},
): PDFKit.PDFDocument {
  const runs = scriptRuns(text);
  if (!runs.some((run) => run.cjk)) return document.font(font).text(text, at.x, at.y, options);
  runs.forEach((run, index) => {
    document.font(run.cjk ? cjkFont(document, font) : font);
    const continued = index < runs.length - 1;
    if (index === 0) document.text(run.text, at.x, at.y, { ...options, continued });
    else document.text(run.text, { continued });
  });
  return document.font(font);
}

function cjkFont(document: PDFKit.PDFDocument, font: PdfFont): string {
  const weight = font === bold ? 'bold' : 'regular';
  noto[weight] ??= readFileSync(resolve(`@expo-google-fonts/noto-sans-sc/${notoFile[weight]}`));
  const name = cjkFontOf[font];
  document.registerFont(name, noto[weight]);
  return name;
}
