import { describe, expect, it } from 'vitest';
import { hasCjk, scriptRuns } from './pdfFonts';

describe('the PDF font of each run of text', () => {
  it('splits Chinese and Japanese (Han, kana, CJK and fullwidth punctuation) from what DejaVu draws', () => {
    expect(scriptRuns('株式会社テスト')).toEqual([{ text: '株式会社テスト', cjk: true }]);
    expect(scriptRuns('Consulting 北京公司（北京）, Q1')).toEqual([
      { text: 'Consulting ', cjk: false },
      { text: '北京公司（北京）', cjk: true },
      { text: ', Q1', cjk: false },
    ]);
    expect(scriptRuns('Zażółć Ελλάδα Москва')).toEqual([{ text: 'Zażółć Ελλάδα Москва', cjk: false }]);
  });

  it('knows text with any CJK in it', () => {
    expect(hasCjk('Globex 東京')).toBe(true);
    expect(hasCjk('Globex Tōkyō')).toBe(false);
  });
});
