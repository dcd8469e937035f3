// A set ordered by a key of two BigInts (a, then b), with access by rank: a treap whose nodes count their subtree.
// Insert and delete cost O(log n) expected, a page of `count` items from any rank O(log n + count).
// GetUserConversations pages through each user's conversations with it (user-conversations.ts).

interface Node<V> {
  a: bigint;
  b: bigint;
  value: V;
  priority: number;
  size: number;
  left: Node<V> | null;
  right: Node<V> | null;
}

const sizeOf = (n: Node<unknown> | null) => (n === null ? 0 : n.size);
const resize = (n: Node<unknown>) => { n.size = 1 + sizeOf(n.left) + sizeOf(n.right); };
const compare = (a: bigint, b: bigint, n: Node<unknown>) => (a < n.a ? -1 : a > n.a ? 1 : b < n.b ? -1 : b > n.b ? 1 : 0);

/** Priorities from a fixed xorshift: the shape (never the order) depends on them, the same from run to run. */
let seed = 0x9e3779b9;
function nextPriority(): number {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return seed >>> 0;
}

/** [keys below (a, b), keys from (a, b) on] */
function split<V>(n: Node<V> | null, a: bigint, b: bigint): [Node<V> | null, Node<V> | null] {
  if (n === null) return [null, null];
  if (compare(a, b, n) <= 0) {
    const [l, r] = split(n.left, a, b);
    n.left = r;
    resize(n);
    return [l, n];
  }
  const [l, r] = split(n.right, a, b);
  n.right = l;
  resize(n);
  return [n, r];
}

/** Every key of l is below every key of r. */
function merge<V>(l: Node<V> | null, r: Node<V> | null): Node<V> | null {
  if (l === null) return r;
  if (r === null) return l;
  if (l.priority > r.priority) {
    l.right = merge(l.right, r);
    resize(l);
    return l;
  }
  r.left = merge(l, r.left);
  resize(r);
  return r;
}

function insert<V>(n: Node<V> | null, node: Node<V>): Node<V> {
  if (n === null) return node;
  if (node.priority > n.priority) {
    [node.left, node.right] = split(n, node.a, node.b);
    resize(node);
    return node;
  }
  if (compare(node.a, node.b, n) < 0) n.left = insert(n.left, node);
  else n.right = insert(n.right, node);
  resize(n);
  return n;
}

function remove<V>(n: Node<V> | null, a: bigint, b: bigint): Node<V> | null {
  if (n === null) return null;
  const c = compare(a, b, n);
  if (c === 0) return merge(n.left, n.right);
  if (c < 0) n.left = remove(n.left, a, b);
  else n.right = remove(n.right, a, b);
  resize(n);
  return n;
}

function has(n: Node<unknown> | null, a: bigint, b: bigint): boolean {
  while (n !== null) {
    const c = compare(a, b, n);
    if (c === 0) return true;
    n = c < 0 ? n.left : n.right;
  }
  return false;
}

export class OrderedSet<V> {
  private root: Node<V> | null = null;

  get size(): number { return sizeOf(this.root); }

  /** A set of items already in ascending key order (distinct keys), built in O(n): a balanced tree whose
   * priorities fall with depth, random within a level, so later inserts keep it a treap. */
  static fromSorted<V>(items: readonly { a: bigint; b: bigint; value: V }[]): OrderedSet<V> {
    const set = new OrderedSet<V>();
    const build = (lo: number, hi: number, depth: number): Node<V> | null => {
      if (lo >= hi) return null;
      const mid = (lo + hi) >>> 1;
      const { a, b, value } = items[mid];
      const band = Math.max(0, 63 - depth);
      const node: Node<V> = { a, b, value, priority: band * 2 ** 26 + (nextPriority() >>> 6), size: hi - lo, left: null, right: null };
      node.left = build(lo, mid, depth + 1);
      node.right = build(mid + 1, hi, depth + 1);
      return node;
    };
    set.root = build(0, items.length, 0);
    return set;
  }

  /** Adds value under (a, b); a key already present is replaced. */
  insert(a: bigint, b: bigint, value: V): void {
    if (has(this.root, a, b)) this.root = remove(this.root, a, b);
    this.root = insert(this.root, { a, b, value, priority: nextPriority(), size: 1, left: null, right: null });
  }

  delete(a: bigint, b: bigint): void {
    this.root = remove(this.root, a, b);
  }

  /** Up to count values from rank start on, ascending by key, or descending (rank 0 = the largest key). */
  slice(start: number, count: number, descending = false): V[] {
    const out: V[] = [];
    if (count <= 0 || start < 0 || start >= this.size) return out;
    // down to the first item; the stack keeps the nodes still to come, in order, above it
    const stack: Node<V>[] = [];
    let k = descending ? this.size - 1 - start : start;
    let n = this.root;
    while (n !== null) {
      const left = sizeOf(n.left);
      if (k === left) { stack.push(n); break; }
      if (k < left) {
        if (!descending) stack.push(n);
        n = n.left;
      } else {
        if (descending) stack.push(n);
        k -= left + 1;
        n = n.right;
      }
    }
    while (out.length < count && stack.length > 0) {
      const next = stack.pop()!;
      out.push(next.value);
      // the next nodes: the nearest side's subtree, its far edge first
      for (let m = descending ? next.left : next.right; m !== null; m = descending ? m.right : m.left) stack.push(m);
    }
    return out;
  }
}
