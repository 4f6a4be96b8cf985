import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScopeIndex } from './scopes.ts';

/** The 1-based line and column of the first `marker` in `source`. */
function at(source: string, marker: string): [number, number] {
  const offset = source.indexOf(marker);
  const before = source.slice(0, offset).split('\n');
  return [before.length, (before.at(-1) ?? '').length + 1];
}

describe('scope index of a minified file', () => {
  const source = [
    '"use strict";',
    'function h(e){return{onClick:()=>{throw _A_},"data-x":function(){_B_}}}',
    'x.y.render=function(){_C_};var f=()=>{_D_},g=function k(){_E_};class Q{m(){_F_}}',
    '[1].map(function(){_G_});',
  ].join('\n');
  const index = ScopeIndex.of(source);

  it('names the innermost function around a position, by its name or what it is assigned to', () => {
    const names = ['_A_', '_B_', '_C_', '_D_', '_E_', '_F_'].map((marker) => {
      const [line, column] = at(source, marker);
      const named = index?.enclosingName(line, column);
      return named && [named.text, named.isProperty, source.split('\n')[named.line - 1]?.slice(named.column - 1, named.column - 1 + named.text.length)];
    });
    assert.deepEqual(names, [
      ['onClick', true, 'onClick'],
      ['data-x', true, 'data-x'],
      ['render', true, 'render'],
      ['f', false, 'f'],
      ['k', false, 'k'],
      ['m', true, 'm'],
    ]);
  });

  it('says nothing of an anonymous function, of top-level code or of a file that does not parse', () => {
    assert.equal(index?.enclosingName(...at(source, '_G_')), undefined);
    assert.equal(index?.enclosingName(1, 2), undefined);
    assert.equal(index?.enclosingName(99, 1), undefined);
    assert.equal(ScopeIndex.of('function ('), undefined);
  });
});
