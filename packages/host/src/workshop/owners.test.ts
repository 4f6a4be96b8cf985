import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTypingTarget, parseShowOwners, storedShowOwners, togglesOwners, type KeyPress } from './owners';

const press = (key: string, fields: Partial<KeyPress> = {}): KeyPress => ({
  key,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  repeat: false,
  defaultPrevented: false,
  ...fields,
});

describe('the owners switch', () => {
  it('remembers on and off, and is off when nothing (or anything else) is stored', () => {
    assert.equal(parseShowOwners(storedShowOwners(true)), true);
    assert.equal(parseShowOwners(storedShowOwners(false)), false);
    assert.equal(parseShowOwners(null), false);
    assert.equal(parseShowOwners('yes'), false);
  });

  it('toggles on the key o on the page', () => {
    assert.equal(togglesOwners(press('o'), { tagName: 'BODY' }), true);
    assert.equal(togglesOwners(press('O'), null), true);
    assert.equal(togglesOwners(press('p'), null), false);
  });

  it('leaves o alone while typing in a field, with a modifier, held down, or taken by the page', () => {
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT', 'input']) assert.equal(togglesOwners(press('o'), { tagName }), false);
    assert.equal(togglesOwners(press('o'), { tagName: 'DIV', isContentEditable: true }), false);
    assert.equal(togglesOwners(press('o', { ctrlKey: true }), null), false);
    assert.equal(togglesOwners(press('o', { metaKey: true }), null), false);
    assert.equal(togglesOwners(press('o', { altKey: true }), null), false);
    assert.equal(togglesOwners(press('o', { repeat: true }), null), false);
    assert.equal(togglesOwners(press('o', { defaultPrevented: true }), null), false);
    assert.equal(isTypingTarget({ tagName: 'BUTTON' }), false);
  });
});
