import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, percentile, table } from './stats.ts';

describe('percentile', () => {
  it('is the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 95);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile([7], 95), 7);
    assert.equal(median([3, 1, 2]), 2);
  });

  it('refuses no values', () => {
    assert.throws(() => percentile([], 50), /no values/);
  });
});

describe('table', () => {
  it('renders Markdown', () => {
    assert.equal(table(['a', 'b'], [['1', '2']]), '| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});
