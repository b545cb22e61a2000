/**
 * deploy/k8s/ parsed as Kubernetes objects (the yaml library, typed with kubernetes-types), not
 * matched as strings: the Indexed Job, the merge Job, the scenario ConfigMap, the Secret reference.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { ConfigMap, Container, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { PROJECT_ROOT } from '../../bench/core/paths.ts';
import { validateScenario } from '../../bench/scenario/load.ts';
import { planRun } from '../../bench/load/plan.ts';
import { shardPlan } from '../../bench/shard/shard-spec.ts';

const DIR = path.join(PROJECT_ROOT, 'deploy', 'k8s');
type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string } };
const objects: K8sObject[] = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).flatMap((f) =>
  parseAllDocuments(fs.readFileSync(path.join(DIR, f), 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${f}: ${d.errors[0]!.message}`);
    return d.toJS() as K8sObject;
  }));
const find = <T>(kind: string, name: string): T => {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return o as T;
};
const containerOf = (job: Job): Container => job.spec!.template.spec!.containers[0]!;
const envFrom = (c: Container, name: string) => c.env?.find((e) => e.name === name);

const shards = find<Job>('Job', 'geobench-shards');
const merge = find<Job>('Job', 'geobench-merge');
const config = find<ConfigMap>('ConfigMap', 'geobench-scenario');

test('the shard Job is Indexed with parallelism = completions = the --shards count, one try', () => {
  assert.is(shards.apiVersion, 'batch/v1');
  assert.is(shards.spec!.completionMode, 'Indexed');
  const n = shards.spec!.completions!;
  assert.is(shards.spec!.parallelism, n);
  assert.is(shards.spec!.backoffLimit, 0);
  assert.is(shards.spec!.template.spec!.restartPolicy, 'Never');
  const cmd = containerOf(shards).command!;
  assert.is(cmd[cmd.indexOf('--shards') + 1], String(n));
  assert.is(cmd[cmd.indexOf('--run-id') + 1], '$(GEOBENCH_RUN_ID)');
  assert.ok(!cmd.includes('--shard'), 'the index comes from JOB_COMPLETION_INDEX, not the command');
});

test('the scenario comes from the ConfigMap, the database URL from a Secret, in both Jobs', () => {
  for (const job of [shards, merge]) {
    const c = containerOf(job);
    assert.equal(envFrom(c, 'DATABASE_URL')?.valueFrom?.secretKeyRef, { name: 'geobench-db', key: 'DATABASE_URL' });
    assert.is(envFrom(c, 'DATABASE_URL')?.value, undefined, 'no URL written in a manifest');
    assert.equal(envFrom(c, 'GEOBENCH_RUN_ID')?.valueFrom?.configMapKeyRef, { name: 'geobench-scenario', key: 'GEOBENCH_RUN_ID' });
  }
  const vol = shards.spec!.template.spec!.volumes!.find((v) => v.configMap)!;
  assert.is(vol.configMap!.name, 'geobench-scenario');
  const mount = containerOf(shards).volumeMounts!.find((m) => m.name === vol.name)!;
  const cmd = containerOf(shards).command!;
  assert.is(cmd[cmd.indexOf('--scenario-file') + 1], `${mount.mountPath}/${vol.configMap!.items![0]!.path}`);
  assert.ok(objects.every((o) => o.kind !== 'Secret'), 'the Secret is created by hand, never shipped');
  const everything = fs.readdirSync(DIR).map((f) => fs.readFileSync(path.join(DIR, f), 'utf8')).join('\n');
  assert.not.match(everything, /postgres(ql)?:\/\/[^'"\s]*@/);
});

test("the ConfigMap's scenario is a valid scenario whose connections split over the shards", () => {
  const source = config.data!['scenario.ts']!.replace(/^\s*export default/m, 'return');
  const scenario = validateScenario(new Function(source)(), 'scenario.ts');
  const plan = planRun(scenario, {}, 2);
  const n = shards.spec!.completions!;
  const parts = Array.from({ length: n }, (_, index) => shardPlan(plan, { index, count: n }));
  assert.is(parts.reduce((s, p) => s + p.load.connections, 0), plan.load.connections);
  // Requests sized per shard from the measured cost (docs/distributed.md): ≥ 1 CPU, ≥ 512 MiB.
  const req = containerOf(shards).resources!.requests!;
  assert.is(req.cpu, '1');
  assert.is(req.memory, '512Mi');
});

test('the merge Job waits for the shards in the database and writes to a claimed volume', () => {
  const cmd = containerOf(merge).command!;
  assert.ok(cmd.includes('merge') && cmd.includes('--wait-for-shards'));
  const claim = merge.spec!.template.spec!.volumes!.find((v) => v.persistentVolumeClaim)!.persistentVolumeClaim!.claimName;
  assert.is(find<PersistentVolumeClaim>('PersistentVolumeClaim', claim).kind, 'PersistentVolumeClaim');
});

test.run();
