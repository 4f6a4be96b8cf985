import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BROWSER_RULE_PATHS, countRules, spanRuleRows, spanRuleSection, tookStackRule, RULE_PATHS, type SpanRuleFigures, type StoredSpan } from './span-rule.ts';

const SHOP = 'http://localhost:3001';

/** A stored span, its id its name. */
function span(name: string, op: string, owner: string, attributes: Record<string, unknown> = {}, children: StoredSpan[] = []): StoredSpan {
  return { event_id: name, name, parent_span_id: null, op, additional_attributes: { owner, ...attributes }, children };
}

describe('which stored spans the stack rule decided', () => {
  const root = span('r', 'http.server', 'checkout');

  it('none of a root, a span declaring its owner, a child of a remote, a request for a remote, or a span of Next', () => {
    const load = span('mf.load shop/Header', 'mf.load', 'shop');
    assert.equal(tookStackRule(root, undefined, 'checkout', [SHOP]), false);
    assert.equal(tookStackRule(load, root, 'checkout', [SHOP]), false);
    assert.equal(tookStackRule(span('mf.render shop/Header', 'ui.render', 'shop'), root, 'checkout', [SHOP]), false);
    assert.equal(tookStackRule(span('f', 'http.client', 'shop'), load, 'checkout', [SHOP]), false);
    assert.equal(tookStackRule(span('c', 'http.client', 'shop', { 'url.full': `${SHOP}/_next/static/chunks/1.js` }), root, 'checkout', [SHOP]), false);
    assert.equal(tookStackRule(span('c', 'http.client', 'shop', { 'server.address': 'localhost', 'server.port': 3001 }), root, 'checkout', [SHOP]), false);
    assert.equal(tookStackRule(span('n', 'function', 'checkout', { 'next.span_type': 'Render.renderDocument' }), root, 'checkout', [SHOP]), false);
  });

  it("every other child of the zone's span, whoever it ended up owned by", () => {
    assert.equal(tookStackRule(span('m', 'middleware', 'checkout'), root, 'checkout', [SHOP]), true);
    assert.equal(tookStackRule(span('a', 'http.client', 'checkout', { 'url.full': 'http://localhost:3002/api' }), root, 'checkout', [SHOP]), true);
    assert.equal(tookStackRule(span('p', 'function', 'shop'), root, 'checkout', [SHOP]), true);
  });

  // The page load and the resource timing (timeline spans) never take the stack rule; a fetch does.
  it("counts by runtime: what is under the browser's page load is the browser's", () => {
    const trace = [
      span('r', 'http.server', 'checkout', {}, [
        span('n', 'function', 'checkout', { 'next.span_type': 'Render.renderDocument' }),
        span('x', 'db', 'checkout'),
        span('p', 'pageload', 'checkout', {}, [
          span('b1', 'resource.script', 'checkout', { 'url.full': 'http://localhost:3002/_next/static/chunks/main.js' }),
          span('b2', 'resource.script', 'shop', { 'url.full': `${SHOP}/_next/static/chunks/remoteEntry.js` }),
          span('b3', 'http.client', 'checkout', { 'url.full': 'http://localhost:3002/api/cart' }),
          span('mf.render shop/Header', 'ui.render', 'shop', {}, [span('b4', 'ui.long-task', 'shop')]),
        ]),
      ]),
    ];
    assert.deepEqual(countRules(trace, 'checkout', [SHOP]), { server: { spans: 3, stackRule: 1 }, browser: { spans: 6, stackRule: 1 } });
  });
});

describe('the table', () => {
  it('has a row per path, and says what the stack rule adds over a URL', () => {
    const ns = (stack: number) => Object.fromEntries(RULE_PATHS.map((path) => [path, path.startsWith('stack rule') ? stack : 20_000]));
    const figures = { nsPerSpan: { off: ns(120_000), on: ns(300_000) }, spansPerRound: 1, rounds: 1, depth: 64 } as SpanRuleFigures;
    const rows = spanRuleRows(figures);
    assert.equal(rows.length, RULE_PATHS.length);
    assert.deepEqual(rows[0], [RULE_PATHS[0], '20.0 µs', '20.0 µs']);
    assert.deepEqual(rows.at(-1), [RULE_PATHS.at(-1), '120.0 µs (+100.0 µs)', '300.0 µs (+280.0 µs)']);
  });

  it("costs a page view its stack-rule spans times the rule's extra over a URL's, per runtime", () => {
    const ns = (stack: number) => Object.fromEntries(RULE_PATHS.map((path) => [path, path.startsWith('stack rule') ? stack : 20_000]));
    const node = { nsPerSpan: { off: ns(120_000), on: ns(300_000) }, spansPerRound: 500, rounds: 3, depth: 64 } as SpanRuleFigures;
    const browser = Object.fromEntries(BROWSER_RULE_PATHS.map((path) => [path, path.startsWith('stack rule') ? 70_000 : 10_000])) as Parameters<typeof spanRuleSection>[1];
    const text = spanRuleSection(node, browser, [{ zone: 'checkout', traceId: 't', server: { spans: 5, stackRule: 1 }, browser: { spans: 40, stackRule: 30 } }]);
    assert.ok(text.includes('| checkout `/` | 1 of 5 | 30 of 40 | 0.28 ms | 1.8 ms |'), text);
  });
});
