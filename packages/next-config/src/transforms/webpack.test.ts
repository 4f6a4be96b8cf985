import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NextConfig } from 'next';
import { runWebpackHook, webpackContext } from '../testing.ts';
import { compilerOf, extendWebpack } from './webpack.ts';

describe('extendWebpack', () => {
  it("runs each step after the hook that was there, on the config Next passed, and returns it", () => {
    const order: string[] = [];
    const own: NextConfig = {
      webpack(config: { plugins: unknown[] }) {
        order.push('own');
        return config;
      },
    };
    const config = extendWebpack(
      extendWebpack(own, () => order.push('first')),
      () => order.push('second'),
    );
    const result = runWebpackHook(config, 'client');
    assert.deepEqual(order, ['own', 'first', 'second']);
    assert.deepEqual(result.plugins, []);
  });
});

describe('compilerOf', () => {
  it("tells Next's three compilers apart", () => {
    assert.equal(compilerOf(webpackContext('client')), 'client');
    assert.equal(compilerOf(webpackContext('server')), 'server');
    assert.equal(compilerOf(webpackContext('edge')), 'edge');
  });
});
