/**
 * The "show owners" switch: what is stored, and which key presses toggle it. Pure, so the rules
 * are tested without a browser.
 */

/** Where the choice is kept, per zone origin (localStorage is per origin). */
export const SHOW_OWNERS_KEY = 'mf-show-owners';

/** The attribute on <html> that workshop.css outlines owned regions under. */
export const SHOW_OWNERS_ATTRIBUTE = 'data-show-owners';

export const OWNERS_KEY = 'o';

export function parseShowOwners(stored: string | null): boolean {
  return stored === '1';
}

export function storedShowOwners(on: boolean): string {
  return on ? '1' : '0';
}

/** What a keydown handler needs to know about where the key was pressed. */
export interface KeyTarget {
  readonly tagName?: string;
  readonly isContentEditable?: boolean;
}

export interface KeyPress {
  readonly key: string;
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly repeat: boolean;
  readonly defaultPrevented: boolean;
}

/** A field where `o` is a letter someone is typing, not a command. */
export function isTypingTarget(target: KeyTarget | null): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes((target.tagName ?? '').toUpperCase());
}

/** Whether a key press toggles the owners view: a plain `o`, held or not with shift, outside fields. */
export function togglesOwners(press: KeyPress, target: KeyTarget | null): boolean {
  if (press.defaultPrevented || press.repeat || press.altKey || press.ctrlKey || press.metaKey) return false;
  return press.key.toLowerCase() === OWNERS_KEY && !isTypingTarget(target);
}
