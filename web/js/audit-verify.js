// Checking penholder's audit log in the browser, from docs/audit.md alone:
// leaf and node hashes (RFC 6962 2.1), inclusion and consistency proofs
// (RFC 9162 2.1.3.2 and 2.1.4.2), and the Ed25519 signature of a tree head.
// WebCrypto only; no DOM, so that the same code is tested under Node.

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();

export function fromHex(s) {
  if (typeof s !== 'string' || !/^([0-9a-f]{2})*$/i.test(s)) throw new Error(`not hexadecimal: ${String(s).slice(0, 20)}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

export function toHex(bytes) {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const u32 = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n); return b; };
const u64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };
const str = (s) => { const b = encoder.encode(s); return concat(u32(b.length), b); };
const tag = (t) => concat(encoder.encode(t), new Uint8Array([0]));
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function sha256(...parts) {
  return new Uint8Array(await subtle.digest('SHA-256', concat(...parts)));
}

/** The bytes of an entry: {sequence, time, actor, action, object_type, object_id, state_sha256}. */
export function entryBytes(e) {
  const state = fromHex(e.state_sha256);
  if (state.length !== 32) throw new Error('state_sha256 is not 32 bytes');
  return concat(tag('penholder/audit/entry/v1'), u64(e.sequence), str(e.time), str(e.actor), str(e.action),
    str(e.object_type), str(e.object_id), state);
}

export const leafHash = (entry) => sha256(new Uint8Array([0]), entryBytes(entry));
const nodeHash = (l, r) => sha256(new Uint8Array([1]), l, r);

/** RFC 9162 2.1.3.2: the leaf at `index` is in the tree of `size` whose root is `root`. */
export async function verifyInclusion(index, size, leaf, path, root) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) return false;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

/** RFC 9162 2.1.4.2: the tree of `second` entries extends the tree of `first`. */
export async function verifyConsistency(first, second, firstRoot, secondRoot, path) {
  const m = BigInt(first);
  const n = BigInt(second);
  if (m > n) return false;
  if (m === n) return path.length === 0 && equal(firstRoot, secondRoot);
  if (m === 0n) return path.length === 0 && equal(firstRoot, await sha256(new Uint8Array(0)));
  if (path.length === 0) return false;
  const p = (m & (m - 1n)) === 0n ? [firstRoot, ...path] : path;
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = p[0];
  let sr = p[0];
  for (const c of p.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return equal(fr, firstRoot) && equal(sr, secondRoot) && sn === 0n;
}

/** True when this browser can check Ed25519 signatures. */
export async function ed25519Supported() {
  try {
    await subtle.importKey('raw', new Uint8Array(32).fill(1), { name: 'Ed25519' }, false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

/** The signed head {tree_size, root_hash, timestamp, signature} verifies with the public key (64 hex digits). */
export async function verifyHead(head, publicKeyHex) {
  const key = await subtle.importKey('raw', fromHex(publicKeyHex), { name: 'Ed25519' }, false, ['verify']);
  const message = concat(tag('penholder/audit/tree-head/v1'), u64(head.tree_size), fromHex(head.root_hash), str(head.timestamp));
  return subtle.verify({ name: 'Ed25519' }, key, fromHex(head.signature), message);
}

/**
 * Checks an inclusion proof as `GET /api/v1/audit/proof?index=N` returns it
 * (the JSON of `penholder audit proof --index N --json`), with the entry
 * itself when the reply carries it. Returns [{check, ok, detail}].
 */
export async function checkInclusionProof(proof, { publicKey, entry } = {}) {
  const results = [];
  const note = (check, ok, detail = '') => results.push({ check, ok, detail });
  const e = entry || proof.entry;
  if (e) {
    const leaf = toHex(await leafHash(e));
    note('The entry’s fields hash to the proven leaf', leaf === proof.leaf_hash, `leaf hash ${leaf}`);
  }
  const included = await verifyInclusion(proof.leaf_index, proof.tree_size, fromHex(proof.leaf_hash), proof.path.map(fromHex), fromHex(proof.root_hash));
  note(`Entry ${proof.leaf_index} is in the tree of ${proof.tree_size} entries`, included,
    `${proof.path.length} hash${proof.path.length === 1 ? '' : 'es'} on the path to the root`);
  const head = proof.tree_head;
  if (head) {
    note('The proof’s root is the root of a tree head', head.tree_size === proof.tree_size && head.root_hash === proof.root_hash,
      `tree head of ${head.tree_size} entries, ${head.timestamp}`);
    if (publicKey) note('The tree head is signed with the published key', await verifyHead(head, publicKey).catch(() => false), `key ${publicKey.slice(0, 16)}…`);
  }
  return results;
}

/** Checks a consistency proof (`GET /api/v1/audit/consistency?from=N&to=M`). Returns [{check, ok, detail}]. */
export async function checkConsistencyProof(proof, { publicKey, keptHead } = {}) {
  const results = [];
  const note = (check, ok, detail = '') => results.push({ check, ok, detail });
  const ok = await verifyConsistency(proof.first, proof.second, fromHex(proof.first_root_hash), fromHex(proof.second_root_hash), proof.path.map(fromHex));
  note(`The log of ${proof.second} entries extends the log of ${proof.first}: nothing was removed or rewritten`, ok,
    `${proof.path.length} hash${proof.path.length === 1 ? '' : 'es'} in the proof`);
  if (keptHead) {
    note('The older root is the one in the tree head you kept', keptHead.tree_size === proof.first && keptHead.root_hash === proof.first_root_hash,
      `kept head: ${keptHead.tree_size} entries, ${keptHead.timestamp ?? ''}`);
  }
  if (publicKey) {
    for (const [name, head] of [['older', proof.first_tree_head], ['newer', proof.second_tree_head], ['kept', keptHead]]) {
      if (head) note(`The ${name} tree head is signed with the published key`, await verifyHead(head, publicKey).catch(() => false), `${head.tree_size} entries`);
    }
  }
  return results;
}
