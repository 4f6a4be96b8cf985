import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kib, median, ms, table } from './stats.ts';

describe('median', () => {
  it('is the middle value', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2);
  });
});

describe('formats', () => {
  it('prints sizes in KiB and times in ms, one decimal under 10 ms', () => {
    assert.equal(kib(1536), '1.5 KiB');
    assert.equal(ms(4.26), '4.3 ms');
    assert.equal(ms(42.6), '43 ms');
  });
});

describe('table', () => {
  it('renders Markdown', () => {
    assert.equal(table(['a', 'b'], [['1', '2']]), '| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});
