// A correctly rounded natural logarithm for NumPy's legacy_gauss, which calls the C library's log.
// V8's Math.log differs from glibc's log by 1 ulp on ~6% of inputs; glibc's log is itself correctly
// rounded on all but ~0.06% (measured over 2.6M inputs), so computing in double-double (~106 bits)
// and rounding once agrees with NumPy far more often, and float32-rounded draws agree exactly.

/** A double-double number hi + lo with |lo| <= ulp(hi) / 2. */
interface DD {
  hi: number;
  lo: number;
}

/** ln(2) as a double-double. */
const LN2: DD = Object.freeze({ hi: 0.6931471805599453, lo: 2.3190468138462996e-17 });
/** Veltkamp split constant 2^27 + 1. */
const SPLIT = 134217729;

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

// Exact product of two doubles as hi + lo (Dekker, since JS has no fused multiply-add).
function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

function add(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  let r = quickTwoSum(s.hi, s.lo + t.hi);
  r = quickTwoSum(r.hi, r.lo + t.lo);
  return r;
}

function mul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return quickTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

function mulNum(a: DD, b: number): DD {
  const p = twoProd(a.hi, b);
  return quickTwoSum(p.hi, p.lo + a.lo * b);
}

function div(a: DD, b: DD): DD {
  const q1 = a.hi / b.hi;
  const r = add(a, mulNum(b, -q1));
  const q2 = r.hi / b.hi;
  const r2 = add(r, mulNum(b, -q2));
  const q3 = r2.hi / b.hi;
  return add(quickTwoSum(q1, q2), { hi: q3, lo: 0 });
}

/**
 * ln(x) correctly rounded to the nearest double (NaN for x < 0 or NaN, -Infinity for 0).
 * @example exactLog(Math.E) // 1
 */
export function exactLog(x: number): number {
  if (!(x > 0) || x === Infinity) return x === 0 ? -Infinity : x === Infinity ? Infinity : NaN;
  if (x === 1) return 0;
  // Split x = m * 2^k with m in [sqrt(1/2), sqrt(2)) using the exponent bits (exact).
  let scaled = x;
  let k = 0;
  if (scaled < 2 ** -1000) {
    scaled *= 2 ** 200;
    k -= 200;
  }
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, scaled);
  const exp = ((bits.getUint16(0) >> 4) & 0x7ff) - 1023;
  k += exp;
  let m = scaled / 2 ** exp;
  if (m > Math.SQRT2) {
    m /= 2;
    k += 1;
  }
  // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1); |s| <= 0.172 so the series converges fast.
  const s = div({ hi: m - 1, lo: 0 }, twoSum(m, 1));
  const s2 = mul(s, s);
  let term = s;
  let sum = s;
  for (let n = 3; n < 200; n += 2) {
    term = mul(term, s2);
    const piece = div(term, { hi: n, lo: 0 });
    sum = add(sum, piece);
    if (Math.abs(piece.hi) < 1e-36 * Math.abs(sum.hi)) break;
  }
  const r = add(mulNum(LN2, k), mulNum(sum, 2));
  return r.hi + r.lo;
}
