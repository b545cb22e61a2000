import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LeanQuery, toParamText } from '../../bench/load/lean-query.ts';

test('parameters are sent as text the server parses back exactly', () => {
  assert.is(toParamText(-46.633123456789), '-46.633123456789');
  assert.is(toParamText('2024-01-01T00:00:00.000Z'), '2024-01-01T00:00:00.000Z');
  assert.is(toParamText(null), null);
  assert.is(toParamText([1, 2, 1000000000000]), '{"1","2","1000000000000"}');
  assert.is(toParamText(['a"b', 'c\\d']), '{"a\\"b","c\\\\d"}');
  assert.is(toParamText({ tag: 'x' }), '{"tag":"x"}');
});

function fakeConnection() {
  const sent: string[] = [];
  return {
    sent,
    parsedStatements: {} as Record<string, string>,
    submittedNamedStatements: {} as Record<string, string>,
    stream: { cork: () => void sent.push('cork'), uncork: () => void sent.push('uncork') },
    parse: (q: { name: string }) => void sent.push(`parse ${q.name}`),
    bind: (c: { values: unknown[]; valueMapper: (v: unknown) => unknown }) => void sent.push(`bind ${c.values.map(c.valueMapper).join('|')}`),
    execute: () => void sent.push('execute'),
    sync: () => void sent.push('sync'),
  };
}

test('sends Parse only the first time, then Bind/Execute/Sync (no Describe), corked into one write', () => {
  const conn = fakeConnection();
  new LeanQuery('gb_Q3', 'SELECT $1', [7], () => {}).submit(conn);
  assert.equal(conn.sent, ['cork', 'parse gb_Q3', 'bind 7', 'execute', 'sync', 'uncork']);
  conn.sent.length = 0;
  conn.parsedStatements.gb_Q3 = 'SELECT $1';
  new LeanQuery('gb_Q3', 'SELECT $1', [8], () => {}).submit(conn);
  assert.equal(conn.sent, ['cork', 'bind 8', 'execute', 'sync', 'uncork']);
});

test('counts rows; a server error waits for ReadyForQuery, a broken connection ends at once, once', () => {
  const calls: Array<[string | undefined, number]> = [];
  const record = (err: Error | undefined, rows: number): void => void calls.push([err?.message, rows]);
  const ok = new LeanQuery('n', 't', [], record);
  ok.handleDataRow();
  ok.handleDataRow();
  ok.handleCommandComplete();
  ok.handleReadyForQuery();
  assert.equal(calls, [[undefined, 2]]);

  calls.length = 0;
  const sqlError = new LeanQuery('n', 't', [], record);
  sqlError.handleError(Object.assign(new Error('division by zero'), { code: '22012' }));
  assert.equal(calls, [], 'waits for ReadyForQuery after a server error');
  sqlError.handleReadyForQuery();
  assert.equal(calls, [['division by zero', 0]]);

  calls.length = 0;
  const broken = new LeanQuery('n', 't', [], record);
  broken.handleError(new Error('Connection terminated unexpectedly'));
  broken.handleReadyForQuery();
  assert.equal(calls, [['Connection terminated unexpectedly', 0]]);
});

test.run();
