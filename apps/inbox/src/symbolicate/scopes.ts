/**
 * The functions of a minified file and where each is named, so a frame can be named after the
 * function that encloses it, as Sentry's symbolicator names it (its js-source-scopes): a frame at
 * a position inside `function h(e){…}` is in `h`, and the map's name for that `h` is the original
 * one, `BrokenComponent`. An anonymous function takes the name of what it is assigned to
 * (`onClick:()=>{…}`, `x.y=function(){…}`, `const f=()=>…`).
 */

import { type Node, Parser } from 'acorn';

export interface NamedAt {
  /** Where the name stands in the minified file (1-based line, 1-based column). */
  readonly line: number;
  readonly column: number;
  /** The name as written there. */
  readonly text: string;
  /** A property name is never mangled: its text is the original. */
  readonly isProperty: boolean;
}

interface Scope {
  readonly start: number;
  readonly end: number;
  /** The index of the enclosing function's scope, -1 at the top. */
  readonly parent: number;
  readonly name: { readonly offset: number; readonly text: string; readonly isProperty: boolean } | undefined;
}

type AnyNode = Node & Record<string, unknown>;

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

const FUNCTIONS: ReadonlySet<string> = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function keyName(key: unknown, computed: unknown): Scope['name'] {
  if (computed === true || !isNode(key)) return undefined;
  if (key.type === 'Identifier' && typeof key.name === 'string') return { offset: key.start, text: key.name, isProperty: true };
  if (key.type === 'Literal' && typeof key.value === 'string') return { offset: key.start + 1, text: key.value, isProperty: true };
  return undefined;
}

/** What names a function: its own name, else what it is assigned to. */
function nameOf(fn: AnyNode, parent: AnyNode | undefined): Scope['name'] {
  const id = fn.id;
  if (isNode(id) && id.type === 'Identifier' && typeof id.name === 'string') return { offset: id.start, text: id.name, isProperty: false };
  if (!parent) return undefined;
  switch (parent.type) {
    case 'VariableDeclarator': {
      const target = parent.id;
      return parent.init === fn && isNode(target) && target.type === 'Identifier' && typeof target.name === 'string'
        ? { offset: target.start, text: target.name, isProperty: false }
        : undefined;
    }
    case 'AssignmentExpression': {
      const left = parent.left;
      if (parent.right !== fn || !isNode(left)) return undefined;
      if (left.type === 'Identifier' && typeof left.name === 'string') return { offset: left.start, text: left.name, isProperty: false };
      return left.type === 'MemberExpression' ? keyName(left.property, left.computed) : undefined;
    }
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return parent.value === fn ? keyName(parent.key, parent.computed) : undefined;
    default:
      return undefined;
  }
}

export class ScopeIndex {
  private constructor(
    private readonly scopes: readonly Scope[],
    private readonly lineStarts: readonly number[],
  ) {}

  /** The functions of `source`; undefined when it does not parse as JavaScript. */
  static of(source: string): ScopeIndex | undefined {
    let program: Node;
    try {
      program = Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true });
    } catch {
      try {
        program = Parser.parse(source, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
      } catch {
        return undefined;
      }
    }
    const scopes: Scope[] = [];
    // Depth first, children in source order: scopes come out sorted by start, parents first.
    const stack: { node: AnyNode; parent: AnyNode | undefined; scope: number }[] = [{ node: program as AnyNode, parent: undefined, scope: -1 }];
    while (stack.length > 0) {
      const { node, parent, scope } = stack.pop() ?? { node: program as AnyNode, parent: undefined, scope: -1 };
      let inner = scope;
      if (FUNCTIONS.has(node.type)) {
        scopes.push({ start: node.start, end: node.end, parent: scope, name: nameOf(node, parent) });
        inner = scopes.length - 1;
      }
      const children: AnyNode[] = [];
      for (const [key, value] of Object.entries(node)) {
        if (key === 'loc') continue;
        if (Array.isArray(value)) for (const item of value) if (isNode(item)) children.push(item);
        if (isNode(value)) children.push(value);
      }
      children.sort((a, b) => b.start - a.start);
      for (const child of children) stack.push({ node: child, parent: node, scope: inner });
    }
    const lineStarts = [0];
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    return new ScopeIndex(scopes, lineStarts);
  }

  /** The name of the innermost function around a 1-based position; undefined when none or anonymous. */
  enclosingName(line: number, column: number): NamedAt | undefined {
    const lineStart = this.lineStarts[line - 1];
    if (lineStart === undefined) return undefined;
    const offset = lineStart + column - 1;
    // The last scope starting at or before the offset, then out through its parents.
    let low = 0;
    let high = this.scopes.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((this.scopes[middle]?.start ?? Infinity) <= offset) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    let scope = this.scopes[found];
    while (scope && scope.end <= offset) scope = scope.parent < 0 ? undefined : this.scopes[scope.parent];
    const name = scope?.name;
    if (!name) return undefined;
    const at = this.position(name.offset);
    return { ...at, text: name.text, isProperty: name.isProperty };
  }

  private position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] ?? Infinity) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (this.lineStarts[low] ?? 0) + 1 };
  }
}
