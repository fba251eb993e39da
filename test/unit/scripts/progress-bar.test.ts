import { progressBar } from '../../../scripts/lib/progress';
import { renderTable } from '../../../scripts/lib/table';

describe('command-line progress and tables', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, isTTY, columns: 80, write: (text: string) => written.push(text) };
  };

  it('on a terminal: a bar redrawn in place, then the line cleared for the summary', () => {
    const out = stream(true);
    const bar = progressBar(out, 'shop');
    bar.update(0, 4);
    bar.update(2, 4);
    bar.finish('4 checked');
    expect(out.written[0]).toMatch(/^\rshop \[\.+\] 0\/4$/);
    expect(out.written[1]).toMatch(/^\rshop \[#+\.+\] 2\/4$/);
    expect(out.written[2]).toBe('\r\x1b[2Kshop: 4 checked\n');
  });

  it('anywhere else (a pipe, a log): no bar, no carriage return, only the summary line', () => {
    const out = stream(false);
    const bar = progressBar(out, 'shop');
    bar.update(1, 4);
    bar.finish('4 checked');
    expect(out.written).toEqual(['shop: 4 checked\n']);
  });

  it('tables pad columns and align numbers right', () => {
    expect(renderTable(['check', 'n'], [['expiry', 3], ['providers', 12]])).toBe(['check       n', '---------  --', 'expiry      3', 'providers  12'].join('\n'));
  });
});
