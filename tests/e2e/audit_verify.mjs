// The browser's audit verifier (web/js/audit-verify.js) against proofs made
// by the command line: what is true verifies, and a flipped byte, another
// key, a changed entry or a wrong size does not.
// usage: node audit_verify.mjs DIR   (DIR holds key, log, head, inclusion, consistency .json)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from '../../web/js/audit-verify.js';

const dir = process.argv[2];
const load = (name) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
const key = load('key').public_key;
const log = load('log');
const head = load('head');
const inclusion = load('inclusion');
const consistency = load('consistency');

let failures = 0;
let checks = 0;
function check(ok, what) {
  checks += 1;
  if (!ok) failures += 1;
  console.log(`${ok ? 'ok' : 'not ok'} - audit verifier: ${what}`);
}
const allOk = (results) => results.length > 0 && results.every((r) => r.ok);
const flip = (hex) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
const otherKey = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'; // RFC 8032 test 1

check(await v.verifyHead(head, key), 'the newest signed tree head verifies with the published key');
check(!(await v.verifyHead(head, otherKey)), 'and not with another key');
check(!(await v.verifyHead({ ...head, tree_size: head.tree_size + 1 }, key)), 'nor with another size');

const i = inclusion.leaf_index;
check(v.toHex(await v.leafHash(log[i])) === log[i].leaf_hash, `entry ${i} recomputes to the leaf hash penholder recorded`);
check(allOk(await v.checkInclusionProof(inclusion, { publicKey: key, entry: log[i] })), `the inclusion proof of entry ${i} passes every check`);
check(!allOk(await v.checkInclusionProof(inclusion, { publicKey: key, entry: { ...log[i], actor: 'someone-else' } })),
  'a changed entry fails');
check(!allOk(await v.checkInclusionProof({ ...inclusion, path: [flip(inclusion.path[0]), ...inclusion.path.slice(1)] })),
  'a changed proof fails');
check(!allOk(await v.checkInclusionProof({ ...inclusion, leaf_index: i + 1 })), 'a proof for another position fails');
check(!allOk(await v.checkInclusionProof(inclusion, { publicKey: otherKey })), 'a head signed by another key fails');

check(allOk(await v.checkConsistencyProof(consistency, { publicKey: key })),
  `the log of ${consistency.second} entries extends the log of ${consistency.first}`);
check(!allOk(await v.checkConsistencyProof({ ...consistency, first_root_hash: flip(consistency.first_root_hash) })),
  'a rewritten older root fails');
check(!allOk(await v.checkConsistencyProof(consistency, { keptHead: { ...consistency.first_tree_head, root_hash: flip(consistency.first_root_hash) } })),
  'a kept head that differs fails');
check(await v.verifyConsistency(3, 3, v.fromHex(head.root_hash), v.fromHex(head.root_hash), []), 'a proof to the same size holds for equal roots');

console.log(`${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
