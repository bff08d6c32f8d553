#!/usr/bin/env node
// An independent check of penholder's audit log, written from docs/audit.md
// with node:crypto only. It recomputes every leaf hash from the entries
// (`penholder audit log --json --limit 0`), the root of the signed tree head
// (`audit head --json`), checks an inclusion proof (`audit proof --index N
// --json`) and a consistency proof (`audit proof --from N --to M --json`) with
// the algorithms of RFC 9162 section 2.1, and every Ed25519 signature with the
// published public key (`audit key`). Exits 1 at the first failure.
//
// usage: node verify-proof.mjs --log FILE --head FILE --inclusion FILE
//                              --consistency FILE --public-key HEX
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const need of ['log', 'head', 'inclusion', 'consistency', 'public-key']) {
  if (!args[need]) {
    console.error(`verify-proof: --${need} is required`);
    process.exit(2);
  }
}
const load = (name) => JSON.parse(readFileSync(args[name], 'utf8'));

let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) {
    console.log(`FAIL - ${what}`);
    process.exit(1);
  }
  console.log(`ok - ${what}`);
}

// ---- encodings (docs/audit.md, "Byte formats") ----
const hex = (s) => {
  if (typeof s !== 'string' || !/^([0-9a-f]{2})*$/.test(s)) throw new Error(`not hex: ${s}`);
  return Buffer.from(s, 'hex');
};
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };
const str = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([u32(b.length), b]); };
const tag = (t) => Buffer.concat([Buffer.from(t, 'ascii'), Buffer.from([0])]);
const sha256 = (...parts) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest(); };

function entryBytes(e) {
  const state = hex(e.state_sha256);
  if (state.length !== 32) throw new Error('state_sha256 is not 32 bytes');
  return Buffer.concat([tag('penholder/audit/entry/v1'), u64(e.sequence), str(e.time), str(e.actor),
    str(e.action), str(e.object_type), str(e.object_id), state]);
}
const leafHash = (bytes) => sha256(Buffer.from([0x00]), bytes);
const nodeHash = (l, r) => sha256(Buffer.from([0x01]), l, r);

// RFC 6962 2.1: MTH over a list of leaf hashes.
function mth(leaves) {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

// RFC 9162 2.1.3.2, with BigInt so that sizes are not limited to 32 bits.
function verifyInclusion(index, size, leaf, path, root) {
  let fn = BigInt(index), sn = BigInt(size) - 1n;
  if (fn > sn) return false;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

// RFC 9162 2.1.4.2.
function verifyConsistency(first, second, firstRoot, secondRoot, path) {
  let m = BigInt(first), n = BigInt(second);
  if (m > n) return false;
  if (m === n) return path.length === 0 && firstRoot.equals(secondRoot);
  if (m === 0n) return path.length === 0 && firstRoot.equals(sha256(Buffer.alloc(0)));
  if (path.length === 0) return false;
  const p = (m & (m - 1n)) === 0n ? [firstRoot, ...path] : path;
  let fn = m - 1n, sn = n - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = p[0], sr = p[0];
  for (const c of p.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0n;
}

// Ed25519 with the raw 32-byte public key, imported as a JWK.
const publicKey = createPublicKey({
  key: { kty: 'OKP', crv: 'Ed25519', x: hex(args['public-key']).toString('base64url') },
  format: 'jwk',
});
function headSigned(h) {
  const message = Buffer.concat([tag('penholder/audit/tree-head/v1'), u64(h.tree_size), hex(h.root_hash),
    str(h.timestamp)]);
  return verify(null, message, publicKey, hex(h.signature));
}

// ---- the checks ----
const log = load('log'), head = load('head'), inclusion = load('inclusion'), consistency = load('consistency');

const leaves = log.map((e, i) => {
  if (e.sequence !== i) check(false, `entry ${i} has sequence ${e.sequence}`);
  return leafHash(entryBytes(e));
});
check(leaves.every((l, i) => l.equals(hex(log[i].leaf_hash))),
  `all ${leaves.length} leaf hashes recompute from the entries`);

check(head.tree_size === leaves.length, `the newest head covers every entry (${head.tree_size})`);
check(mth(leaves).equals(hex(head.root_hash)), 'the head root is the Merkle tree hash of the entries');
check(headSigned(head), 'the newest tree head signature verifies');

const i = inclusion.leaf_index;
check(hex(inclusion.leaf_hash).equals(leaves[i]), `the proven leaf is entry ${i}, recomputed`);
check(mth(leaves.slice(0, inclusion.tree_size)).equals(hex(inclusion.root_hash)),
  `the proof's root is the tree of the first ${inclusion.tree_size} entries`);
check(verifyInclusion(i, inclusion.tree_size, leaves[i], inclusion.path.map(hex), hex(inclusion.root_hash)),
  `inclusion proof of entry ${i} in the tree of ${inclusion.tree_size} verifies`);
check(inclusion.tree_head.tree_size === inclusion.tree_size &&
  inclusion.tree_head.root_hash === inclusion.root_hash && headSigned(inclusion.tree_head),
  'the inclusion proof is against a signed tree head');

const c = consistency;
check(mth(leaves.slice(0, c.first)).equals(hex(c.first_root_hash)), `root of size ${c.first} recomputes`);
check(mth(leaves.slice(0, c.second)).equals(hex(c.second_root_hash)), `root of size ${c.second} recomputes`);
check(verifyConsistency(c.first, c.second, hex(c.first_root_hash), hex(c.second_root_hash), c.path.map(hex)),
  `consistency proof from ${c.first} to ${c.second} verifies`);
check(headSigned(c.first_tree_head) && headSigned(c.second_tree_head) &&
  c.first_tree_head.root_hash === c.first_root_hash && c.second_tree_head.root_hash === c.second_root_hash,
  'both ends of the consistency proof are signed tree heads');

console.log(`${checks} checks passed`);
