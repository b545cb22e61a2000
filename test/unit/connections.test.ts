import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classifyFailure } from '../../bench/load/connections.ts';

test('statement timeouts, SQL errors and broken connections are told apart', () => {
  assert.is(classifyFailure(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })), 'timeout');
  assert.is(classifyFailure(Object.assign(new Error('division by zero'), { code: '22012' })), 'error');
  assert.is(classifyFailure(Object.assign(new Error('duplicate key'), { code: '23505' })), 'error');
  assert.is(classifyFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })), 'fatal');
  assert.is(classifyFailure(Object.assign(new Error('connection failure'), { code: '08006' })), 'fatal');
  assert.is(classifyFailure(new Error('Connection terminated unexpectedly')), 'fatal');
  assert.is(classifyFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'fatal');
});

test.run();
