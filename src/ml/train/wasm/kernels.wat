;; The training objectives' inner loops (the losses on a block of rows, and the vector kernels of
;; the dense objective) in WebAssembly, so they run as compiled code from their first call instead
;; of waiting for V8 to optimise JavaScript. Pointers are byte offsets of f64 arrays in the
;; imported memory; m is a count of elements (rows). log and log1p are JavaScript's Math
;; functions, imported; exp (called for every score) is fdlibm's, as V8's Math.exp is. Results are bit for bit those of plain JavaScript loops doing the same
;; arithmetic in the same order: no fused multiply-add, sums in the order written below.
;; Compiled into kernels-wasm.ts by `node scripts/build-wasm.mjs`.
(module
  (import "math" "log" (func $log (param f64) (result f64)))
  (import "math" "log1p" (func $log1p (param f64) (result f64)))
  ;; Made by the caller at its final size: growing a memory detaches its buffer, and one detached
  ;; buffer makes V8 check every typed array access in the process for detachment from then on.
  (import "env" "memory" (memory 1))

  ;; Σ a[i]·b[i] in four lanes (i mod 4); the tail goes into lane 0;
  ;; result (lane0 + lane1) + (lane2 + lane3).
  (func $dot (export "dot") (param $a i32) (param $b i32) (param $m i32) (result f64)
    (local $lo v128) (local $hi v128) (local $end i32) (local $tail f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $m) (i32.const -4)) (i32.const 3))))
    (block $done
      (loop $quad
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $lo (f64x2.add (local.get $lo)
          (f64x2.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $hi (f64x2.add (local.get $hi)
          (f64x2.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $quad)))
    (local.set $tail (f64x2.extract_lane 0 (local.get $lo)))
    (local.set $m (i32.and (local.get $m) (i32.const 3)))
    (block $done
      (loop $one
        (br_if $done (i32.eqz (local.get $m)))
        (local.set $tail (f64.add (local.get $tail) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (local.set $m (i32.sub (local.get $m) (i32.const 1)))
        (br $one)))
    (f64.add
      (f64.add (local.get $tail) (f64x2.extract_lane 1 (local.get $lo)))
      (f64.add (f64x2.extract_lane 0 (local.get $hi)) (f64x2.extract_lane 1 (local.get $hi)))))

  ;; y[i] += t·x[i]
  (func $axpy (export "axpy") (param $t f64) (param $x i32) (param $y i32) (param $m i32)
    (local $tt v128) (local $end i32)
    (local.set $tt (f64x2.splat (local.get $t)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $m) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $y) (f64x2.add (v128.load (local.get $y)) (f64x2.mul (local.get $tt) (v128.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $pair)))
    (if (i32.and (local.get $m) (i32.const 1))
      (then (f64.store (local.get $y) (f64.add (f64.load (local.get $y)) (f64.mul (local.get $t) (f64.load (local.get $x))))))))

  ;; out[i] = s·a[i]·b[i]
  (func $multiply (export "multiply") (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $s f64)
    (local $ss v128) (local $end i32)
    (local.set $ss (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $a) (i32.shl (i32.and (local.get $m) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (v128.store (local.get $out) (f64x2.mul (f64x2.mul (local.get $ss) (v128.load (local.get $a))) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $pair)))
    (if (i32.and (local.get $m) (i32.const 1))
      (then (f64.store (local.get $out) (f64.mul (f64.mul (local.get $s) (f64.load (local.get $a))) (f64.load (local.get $b)))))))

  ;; Multinomial log loss of rows 0..m: scores class-major at z + c·stride·8, targets (class
  ;; indices as f64) at y, scratch max and sum (m each). Returns Σ −log softmax(z)[y]; leaves
  ;; ∂loss/∂z = p − onehot(y) in z; with $withSecond, p_c·(δ_cc2 − p_c2) for every class pair
  ;; c ≤ c2 at second + pair·stride·8, pairs ordered (0,0), (0,1), …, (1,1), ….
  (func (export "softmax") (param $z i32) (param $stride i32) (param $m i32) (param $y i32) (param $k i32)
    (param $max i32) (param $sum i32) (param $second i32) (param $withSecond i32) (result f64)
    (local $c i32) (local $c2 i32) (local $r i32) (local $rb i32) (local $zc i32) (local $zc2 i32)
    (local $e f64) (local $loss f64) (local $at i32) (local $pair i32)
    (local.set $stride (i32.shl (local.get $stride) (i32.const 3)))
    ;; max over classes
    (call $copy (local.get $z) (local.get $max) (local.get $m))
    (local.set $c (i32.const 1))
    (block $done (loop $class
      (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $zc (i32.add (local.get $z) (i32.mul (local.get $c) (local.get $stride))))
      (local.set $r (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $rb (i32.shl (local.get $r) (i32.const 3)))
        (f64.store (i32.add (local.get $max) (local.get $rb))
          (f64.max (f64.load (i32.add (local.get $max) (local.get $rb))) (f64.load (i32.add (local.get $zc) (local.get $rb)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $class)))
    ;; z ← exp(z − max), sum ← Σ_c
    (memory.fill (local.get $sum) (i32.const 0) (i32.shl (local.get $m) (i32.const 3)))
    (local.set $c (i32.const 0))
    (block $done (loop $class
      (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $zc (i32.add (local.get $z) (i32.mul (local.get $c) (local.get $stride))))
      (local.set $r (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $rb (i32.shl (local.get $r) (i32.const 3)))
        (local.set $e (call $exp (f64.sub (f64.load (i32.add (local.get $zc) (local.get $rb))) (f64.load (i32.add (local.get $max) (local.get $rb))))))
        (f64.store (i32.add (local.get $zc) (local.get $rb)) (local.get $e))
        (f64.store (i32.add (local.get $sum) (local.get $rb)) (f64.add (f64.load (i32.add (local.get $sum) (local.get $rb))) (local.get $e)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $class)))
    ;; loss −= log(e_y / sum), row by row
    (local.set $r (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $rb (i32.shl (local.get $r) (i32.const 3)))
      (local.set $at (call $labelAt (local.get $z) (local.get $stride) (local.get $y) (local.get $rb)))
      (local.set $loss (f64.sub (local.get $loss)
        (call $log (f64.div (f64.load (local.get $at)) (f64.load (i32.add (local.get $sum) (local.get $rb)))))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    ;; z ← p = e / sum
    (local.set $c (i32.const 0))
    (block $done (loop $class
      (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $zc (i32.add (local.get $z) (i32.mul (local.get $c) (local.get $stride))))
      (local.set $r (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $rb (i32.shl (local.get $r) (i32.const 3)))
        (f64.store (i32.add (local.get $zc) (local.get $rb))
          (f64.div (f64.load (i32.add (local.get $zc) (local.get $rb))) (f64.load (i32.add (local.get $sum) (local.get $rb)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $class)))
    ;; second derivatives: −p_c·p_c2, plus p_c on the diagonal
    (if (local.get $withSecond) (then
      (local.set $c (i32.const 0))
      (block $done (loop $class
        (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
        (local.set $zc (i32.add (local.get $z) (i32.mul (local.get $c) (local.get $stride))))
        (local.set $c2 (local.get $c))
        (block $done2 (loop $class2
          (br_if $done2 (i32.ge_u (local.get $c2) (local.get $k)))
          (local.set $zc2 (i32.add (local.get $z) (i32.mul (local.get $c2) (local.get $stride))))
          (call $multiply (local.get $zc) (local.get $zc2) (i32.add (local.get $second) (i32.mul (local.get $pair) (local.get $stride))) (local.get $m) (f64.const -1))
          (if (i32.eq (local.get $c) (local.get $c2))
            (then (call $axpy (f64.const 1) (local.get $zc) (i32.add (local.get $second) (i32.mul (local.get $pair) (local.get $stride))) (local.get $m))))
          (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
          (local.set $c2 (i32.add (local.get $c2) (i32.const 1)))
          (br $class2)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $class)))))
    ;; ∂/∂z_y: p_y − 1
    (local.set $r (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $at (call $labelAt (local.get $z) (local.get $stride) (local.get $y) (i32.shl (local.get $r) (i32.const 3))))
      (f64.store (local.get $at) (f64.sub (f64.load (local.get $at)) (f64.const 1)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $loss))

  ;; Address of row r's score of its target class: z + y[r]·strideBytes + r·8 (rb = r·8).
  (func $labelAt (param $z i32) (param $strideBytes i32) (param $y i32) (param $rb i32) (result i32)
    (i32.add (i32.add (local.get $z) (local.get $rb))
      (i32.mul (i32.trunc_f64_s (f64.load (i32.add (local.get $y) (local.get $rb)))) (local.get $strideBytes))))

  ;; to[i] = from[i] for i < m
  (func $copy (param $from i32) (param $to i32) (param $m i32)
    (memory.copy (local.get $to) (local.get $from) (i32.shl (local.get $m) (i32.const 3))))

  ;; Binary log loss of rows 0..m, targets 0/1 at y: Σ log(1 + e^z) − y·z (stably on both sides
  ;; of 0); leaves p − y in z and, with $withSecond, p·(1 − p) in second.
  (func (export "logistic") (param $z i32) (param $m i32) (param $y i32) (param $second i32) (param $withSecond i32) (result f64)
    (local $r i32) (local $rb i32) (local $s f64) (local $yi f64) (local $p f64) (local $loss f64)
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $rb (i32.shl (local.get $r) (i32.const 3)))
      (local.set $s (f64.load (i32.add (local.get $z) (local.get $rb))))
      (local.set $yi (f64.load (i32.add (local.get $y) (local.get $rb))))
      (local.set $loss (f64.add (local.get $loss)
        (f64.sub
          (if (result f64) (f64.gt (local.get $s) (f64.const 0))
            (then (f64.add (local.get $s) (call $log1p (call $exp (f64.neg (local.get $s))))))
            (else (call $log1p (call $exp (local.get $s)))))
          (if (result f64) (f64.eq (local.get $yi) (f64.const 1)) (then (local.get $s)) (else (f64.const 0))))))
      (local.set $p (f64.div (f64.const 1) (f64.add (f64.const 1) (call $exp (f64.neg (local.get $s))))))
      (f64.store (i32.add (local.get $z) (local.get $rb)) (f64.sub (local.get $p) (local.get $yi)))
      (if (local.get $withSecond) (then
        (f64.store (i32.add (local.get $second) (local.get $rb)) (f64.mul (local.get $p) (f64.sub (f64.const 1) (local.get $p))))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $loss))

  ;; Squared error / 2 of rows 0..m against y; leaves z − y in z and, with $withSecond, 1 in second.
  (func (export "squared") (param $z i32) (param $m i32) (param $y i32) (param $second i32) (param $withSecond i32) (result f64)
    (local $r i32) (local $rb i32) (local $e f64) (local $loss f64)
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $rb (i32.shl (local.get $r) (i32.const 3)))
      (local.set $e (f64.sub (f64.load (i32.add (local.get $z) (local.get $rb))) (f64.load (i32.add (local.get $y) (local.get $rb)))))
      (local.set $loss (f64.add (local.get $loss) (f64.mul (f64.mul (f64.const 0.5) (local.get $e)) (local.get $e))))
      (f64.store (i32.add (local.get $z) (local.get $rb)) (local.get $e))
      (if (local.get $withSecond) (then (f64.store (i32.add (local.get $second) (local.get $rb)) (f64.const 1))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
    (local.get $loss))

  ;; e^x: fdlibm's __ieee754_exp (FreeBSD msun e_exp.c) as V8 compiles it for Math.exp, so
  ;; results are Math.exp's bit for bit. Reduce x = k·ln2 + r, |r| ≤ ln2/2, with ln2 in two parts
  ;; (hi exact in k·ln2hi); e^r by a degree-5 rational approximation; scale by 2^k.
  (func $exp (param $x f64) (result f64)
    (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64) (local $t f64) (local $c f64) (local $y f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| ≥ 709.78: NaN, ±∞, overflow or underflow
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862e42)) (then
      (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000)) (then
        (if (f64.ne (local.get $x) (local.get $x)) (then (return (f64.add (local.get $x) (local.get $x)))))
        (return (select (f64.const 0) (local.get $x) (local.get $xsb)))))
      (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02)) (then (return (f64.const inf))))
      (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02)) (then (return (f64.const 0))))))
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))
      (then ;; |x| > ln2/2: reduce
        (if (i32.lt_u (local.get $hx) (i32.const 0x3ff0a2b2))
          (then ;; |x| < 1.5·ln2: k = ±1
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 2.718281828459045))))
            (if (local.get $xsb)
              (then
                (local.set $hi (f64.sub (local.get $x) (f64.const -6.93147180369123816490e-01)))
                (local.set $lo (f64.const -1.90821492927058770002e-10))
                (local.set $k (i32.const -1)))
              (else
                (local.set $hi (f64.sub (local.get $x) (f64.const 6.93147180369123816490e-01)))
                (local.set $lo (f64.const 1.90821492927058770002e-10))
                (local.set $k (i32.const 1)))))
          (else
            (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
              (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else ;; |x| < 2^-28: 1 + x
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000)) (then (return (f64.add (f64.const 1) (local.get $x)))))))
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
      (f64.add (f64.const 1.66666666666666019037e-01) (f64.mul (local.get $t)
      (f64.add (f64.const -2.77777777770155933842e-03) (f64.mul (local.get $t)
      (f64.add (f64.const 6.61375632143793436117e-05) (f64.mul (local.get $t)
      (f64.add (f64.const -1.65339022054652515390e-06) (f64.mul (local.get $t) (f64.const 4.13813679705723846039e-08))))))))))))
    (if (i32.eqz (local.get $k)) (then
      (return (f64.sub (f64.const 1) (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
    (local.set $y (f64.sub (f64.const 1)
      (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
    (if (i32.ge_s (local.get $k) (i32.const -1021)) (then
      (if (i32.eq (local.get $k) (i32.const 1024)) (then
        (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 8.988465674311579539e307)))))
      (return (f64.mul (local.get $y) (call $pow2 (local.get $k))))))
    (f64.mul (f64.mul (local.get $y) (call $pow2 (i32.add (local.get $k) (i32.const 1000)))) (f64.const 9.33263618503218878990e-302)))

  ;; 2^k for −1022 ≤ k ≤ 1023, built from its exponent bits
  (func $pow2 (param $k i32) (result f64)
    (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u (i32.add (i32.const 0x3ff00000) (i32.shl (local.get $k) (i32.const 20)))) (i64.const 32))))

  (func (export "exp") (param $x f64) (result f64) (call $exp (local.get $x)))

  ;; ---- The dense objective (../dense-objective.ts): a block of m rows as f dense columns of
  ;; stride B (bytes B·8) at cols; parameters θ[j·K + c] feature-major, the bias last.

  ;; z[c·B + r] = Σ_j θ[j·K + c]·cols[j·B + r] for every class c (j in order, zero θ skipped).
  (func (export "scores") (param $cols i32) (param $theta i32) (param $z i32) (param $f i32) (param $k i32) (param $B i32) (param $m i32)
    (local $c i32) (local $j i32) (local $t f64) (local $zc i32)
    (local.set $B (i32.shl (local.get $B) (i32.const 3)))
    (memory.fill (local.get $z) (i32.const 0) (i32.mul (local.get $k) (local.get $B)))
    (block $done (loop $class
      (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $zc (i32.add (local.get $z) (i32.mul (local.get $c) (local.get $B))))
      (local.set $j (i32.const 0))
      (block $done2 (loop $feature
        (br_if $done2 (i32.ge_u (local.get $j) (local.get $f)))
        (local.set $t (f64.load (i32.add (local.get $theta)
          (i32.shl (i32.add (i32.mul (local.get $j) (local.get $k)) (local.get $c)) (i32.const 3)))))
        (if (f64.ne (local.get $t) (f64.const 0)) (then
          (call $axpy (local.get $t) (i32.add (local.get $cols) (i32.mul (local.get $j) (local.get $B))) (local.get $zc) (local.get $m))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $feature)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $class))))

  ;; grad[j·K + c] += Σ_r cols[j·B + r]·z[c·B + r] (z holding ∂loss/∂z).
  (func (export "gradient") (param $cols i32) (param $z i32) (param $grad i32) (param $f i32) (param $k i32) (param $B i32) (param $m i32)
    (local $c i32) (local $j i32) (local $at i32)
    (local.set $B (i32.shl (local.get $B) (i32.const 3)))
    (block $done (loop $feature
      (br_if $done (i32.ge_u (local.get $j) (local.get $f)))
      (local.set $c (i32.const 0))
      (block $done2 (loop $class
        (br_if $done2 (i32.ge_u (local.get $c) (local.get $k)))
        (local.set $at (i32.add (local.get $grad) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $k)) (local.get $c)) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
          (call $dot (i32.add (local.get $cols) (i32.mul (local.get $j) (local.get $B))) (i32.add (local.get $z) (i32.mul (local.get $c) (local.get $B))) (local.get $m))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $class)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $feature))))

  ;; Adds Σ_r x_a·x_b·∂²loss/∂z_c∂z_c2 (second derivatives per class pair at second + pair·B·8)
  ;; into the Hessian (size × size, row-major) at (a·K + c, b·K + c2) for every feature pair
  ;; a ≤ b, and at (a·K + c2, b·K + c) when a ≠ b and c ≠ c2 (the sums are symmetric in c, c2).
  ;; x_a·x_b is formed once per feature pair in q; with the bias (the last column, all ones) it
  ;; is x_a itself.
  (func (export "hessian") (param $hess i32) (param $size i32) (param $k i32) (param $f i32) (param $cols i32) (param $second i32) (param $q i32) (param $B i32) (param $m i32)
    (local $a i32) (local $b i32) (local $c i32) (local $c2 i32) (local $pair i32) (local $src i32) (local $v f64) (local $at i32)
    (local.set $B (i32.shl (local.get $B) (i32.const 3)))
    (block $done (loop $fa
      (br_if $done (i32.ge_u (local.get $a) (local.get $f)))
      (local.set $b (local.get $a))
      (block $done_b (loop $fb
        (br_if $done_b (i32.ge_u (local.get $b) (local.get $f)))
        (if (i32.eq (local.get $b) (i32.sub (local.get $f) (i32.const 1)))
          (then (local.set $src (i32.add (local.get $cols) (i32.mul (local.get $a) (local.get $B)))))
          (else
            (call $multiply (i32.add (local.get $cols) (i32.mul (local.get $a) (local.get $B))) (i32.add (local.get $cols) (i32.mul (local.get $b) (local.get $B))) (local.get $q) (local.get $m) (f64.const 1))
            (local.set $src (local.get $q))))
        (local.set $pair (i32.const 0))
        (local.set $c (i32.const 0))
        (block $done_c (loop $cc
          (br_if $done_c (i32.ge_u (local.get $c) (local.get $k)))
          (local.set $c2 (local.get $c))
          (block $done_c2 (loop $cc2
            (br_if $done_c2 (i32.ge_u (local.get $c2) (local.get $k)))
            (local.set $v (call $dot (local.get $src) (i32.add (local.get $second) (i32.mul (local.get $pair) (local.get $B))) (local.get $m)))
            (local.set $at (call $entry (local.get $hess) (local.get $size) (local.get $k) (local.get $a) (local.get $c) (local.get $b) (local.get $c2)))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $v)))
            (if (i32.and (i32.ne (local.get $a) (local.get $b)) (i32.ne (local.get $c) (local.get $c2))) (then
              (local.set $at (call $entry (local.get $hess) (local.get $size) (local.get $k) (local.get $a) (local.get $c2) (local.get $b) (local.get $c)))
              (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $v)))))
            (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
            (local.set $c2 (i32.add (local.get $c2) (i32.const 1)))
            (br $cc2)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cc)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $fb)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $fa))))

  ;; Address of Hessian entry (a·K + c, b·K + c2).
  (func $entry (param $hess i32) (param $size i32) (param $k i32) (param $a i32) (param $c i32) (param $b i32) (param $c2 i32) (result i32)
    (i32.add (local.get $hess) (i32.shl
      (i32.add (i32.mul (i32.add (i32.mul (local.get $a) (local.get $k)) (local.get $c)) (local.get $size))
               (i32.add (i32.mul (local.get $b) (local.get $k)) (local.get $c2)))
      (i32.const 3))))

  ;; Turns the summed losses' derivatives into the objective's: the gradient (when $withGrad) to
  ;; grad/n + λ·θ and the Hessian's upper triangle (when $withHess) to H/n + λ·I, mirrored into
  ;; the lower one, both for the first $penalised parameters (the biases after them are not
  ;; penalised). Returns ‖θ[0, penalised)‖².
  (func (export "finish") (param $theta i32) (param $grad i32) (param $withGrad i32) (param $hess i32) (param $withHess i32)
    (param $size i32) (param $penalised i32) (param $n f64) (param $lambda f64) (result f64)
    (local $j i32) (local $t f64) (local $reg f64) (local $r i32) (local $c i32) (local $at i32) (local $v f64)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $j) (local.get $penalised)))
      (local.set $t (f64.load (i32.add (local.get $theta) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $reg (f64.add (local.get $reg) (f64.mul (local.get $t) (local.get $t))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $each)))
    (if (local.get $withGrad) (then
      (local.set $j (i32.const 0))
      (block $done (loop $each
        (br_if $done (i32.ge_u (local.get $j) (local.get $size)))
        (local.set $at (i32.add (local.get $grad) (i32.shl (local.get $j) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.div (f64.load (local.get $at)) (local.get $n))
          (if (result f64) (i32.lt_u (local.get $j) (local.get $penalised))
            (then (f64.mul (local.get $lambda) (f64.load (i32.add (local.get $theta) (i32.shl (local.get $j) (i32.const 3))))))
            (else (f64.const 0)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each)))))
    (if (local.get $withHess) (then
      (block $done (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $size)))
        (local.set $c (local.get $r))
        (block $done_c (loop $col
          (br_if $done_c (i32.ge_u (local.get $c) (local.get $size)))
          (local.set $v (f64.div (f64.load (i32.add (local.get $hess) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $size)) (local.get $c)) (i32.const 3)))) (local.get $n)))
          (f64.store (i32.add (local.get $hess) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $size)) (local.get $c)) (i32.const 3))) (local.get $v))
          (f64.store (i32.add (local.get $hess) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $size)) (local.get $r)) (i32.const 3))) (local.get $v))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $col)))
        (if (i32.lt_u (local.get $r) (local.get $penalised)) (then
          (local.set $at (i32.add (local.get $hess) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $size)) (local.get $r)) (i32.const 3))))
          (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $lambda)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))))
    (local.get $reg))

  ;; ---- Newton's step (../newton.ts): d = −(H + εI)⁻¹·g by Cholesky, H (p × p, row-major)
  ;; overwritten by L in its lower triangle, ε = max(max diag H, 1e-12)·1e-10. Returns gᵀd, or
  ;; NaN when H + εI is not positive definite.
  (func (export "newtonStep") (param $H i32) (param $g i32) (param $d i32) (param $p i32) (result f64)
    (local $i i32) (local $j i32) (local $l i32) (local $diag f64) (local $eps f64) (local $s f64) (local $t f64) (local $ljj f64) (local $at i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $p)))
      (local.set $diag (f64.max (local.get $diag) (f64.load (call $at (local.get $H) (local.get $p) (local.get $i) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (local.set $eps (f64.mul (f64.max (local.get $diag) (f64.const 1e-12)) (f64.const 1e-10)))
    (local.set $i (i32.const 0))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $p)))
      (local.set $at (call $at (local.get $H) (local.get $p) (local.get $i) (local.get $i)))
      (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $eps)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    ;; H = L·Lᵀ, column by column
    (block $done (loop $column
      (br_if $done (i32.ge_u (local.get $j) (local.get $p)))
      (local.set $s (f64.load (call $at (local.get $H) (local.get $p) (local.get $j) (local.get $j))))
      (local.set $l (i32.const 0))
      (block $done_l (loop $inner
        (br_if $done_l (i32.ge_u (local.get $l) (local.get $j)))
        (local.set $t (f64.load (call $at (local.get $H) (local.get $p) (local.get $j) (local.get $l))))
        (local.set $s (f64.sub (local.get $s) (f64.mul (local.get $t) (local.get $t))))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $inner)))
      (if (i32.eqz (f64.gt (local.get $s) (f64.const 0))) (then (return (f64.const nan))))
      (local.set $ljj (f64.sqrt (local.get $s)))
      (f64.store (call $at (local.get $H) (local.get $p) (local.get $j) (local.get $j)) (local.get $ljj))
      (local.set $i (i32.add (local.get $j) (i32.const 1)))
      (block $done_i (loop $below
        (br_if $done_i (i32.ge_u (local.get $i) (local.get $p)))
        (local.set $t (f64.load (call $at (local.get $H) (local.get $p) (local.get $i) (local.get $j))))
        (local.set $l (i32.const 0))
        (block $done_l (loop $inner
          (br_if $done_l (i32.ge_u (local.get $l) (local.get $j)))
          (local.set $t (f64.sub (local.get $t) (f64.mul
            (f64.load (call $at (local.get $H) (local.get $p) (local.get $i) (local.get $l)))
            (f64.load (call $at (local.get $H) (local.get $p) (local.get $j) (local.get $l))))))
          (local.set $l (i32.add (local.get $l) (i32.const 1)))
          (br $inner)))
        (f64.store (call $at (local.get $H) (local.get $p) (local.get $i) (local.get $j)) (f64.div (local.get $t) (local.get $ljj)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $below)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $column)))
    ;; L·y = −g
    (local.set $i (i32.const 0))
    (block $done (loop $forward
      (br_if $done (i32.ge_u (local.get $i) (local.get $p)))
      (local.set $t (f64.neg (f64.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $l (i32.const 0))
      (block $done_l (loop $inner
        (br_if $done_l (i32.ge_u (local.get $l) (local.get $i)))
        (local.set $t (f64.sub (local.get $t) (f64.mul
          (f64.load (call $at (local.get $H) (local.get $p) (local.get $i) (local.get $l)))
          (f64.load (i32.add (local.get $d) (i32.shl (local.get $l) (i32.const 3)))))))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $inner)))
      (f64.store (i32.add (local.get $d) (i32.shl (local.get $i) (i32.const 3)))
        (f64.div (local.get $t) (f64.load (call $at (local.get $H) (local.get $p) (local.get $i) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $forward)))
    ;; Lᵀ·d = y
    (local.set $i (local.get $p))
    (block $done (loop $backward
      (br_if $done (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (local.set $t (f64.load (i32.add (local.get $d) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $l (i32.add (local.get $i) (i32.const 1)))
      (block $done_l (loop $inner
        (br_if $done_l (i32.ge_u (local.get $l) (local.get $p)))
        (local.set $t (f64.sub (local.get $t) (f64.mul
          (f64.load (call $at (local.get $H) (local.get $p) (local.get $l) (local.get $i)))
          (f64.load (i32.add (local.get $d) (i32.shl (local.get $l) (i32.const 3)))))))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $inner)))
      (f64.store (i32.add (local.get $d) (i32.shl (local.get $i) (i32.const 3)))
        (f64.div (local.get $t) (f64.load (call $at (local.get $H) (local.get $p) (local.get $i) (local.get $i)))))
      (br $backward)))
    (call $dot (local.get $g) (local.get $d) (local.get $p)))

  ;; Address of M[i·p + j].
  (func $at (param $M i32) (param $p i32) (param $i i32) (param $j i32) (result i32)
    (i32.add (local.get $M) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $p)) (local.get $j)) (i32.const 3))))

  ;; ---- L-BFGS (../lbfgs.ts): vectors of n doubles, updates fused with the next inner product.

  ;; y ← b·y + a·x; returns zᵀy of the new y, summed in four lanes like $dot.
  (func (export "axpbyDot") (param $a f64) (param $x i32) (param $b f64) (param $y i32) (param $z i32) (param $n i32) (result f64)
    (local $aa v128) (local $bb v128) (local $lo v128) (local $hi v128) (local $v v128) (local $w v128) (local $end i32) (local $tail f64) (local $s f64)
    (local.set $aa (f64x2.splat (local.get $a)))
    (local.set $bb (f64x2.splat (local.get $b)))
    (local.set $end (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 3))))
    (block $done (loop $quad
      (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
      (local.set $v (f64x2.add (f64x2.mul (local.get $bb) (v128.load (local.get $y))) (f64x2.mul (local.get $aa) (v128.load (local.get $x)))))
      (local.set $w (f64x2.add (f64x2.mul (local.get $bb) (v128.load offset=16 (local.get $y))) (f64x2.mul (local.get $aa) (v128.load offset=16 (local.get $x)))))
      (v128.store (local.get $y) (local.get $v))
      (v128.store offset=16 (local.get $y) (local.get $w))
      (local.set $lo (f64x2.add (local.get $lo) (f64x2.mul (local.get $v) (v128.load (local.get $z)))))
      (local.set $hi (f64x2.add (local.get $hi) (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $z)))))
      (local.set $x (i32.add (local.get $x) (i32.const 32)))
      (local.set $y (i32.add (local.get $y) (i32.const 32)))
      (local.set $z (i32.add (local.get $z) (i32.const 32)))
      (br $quad)))
    (local.set $tail (f64x2.extract_lane 0 (local.get $lo)))
    (local.set $n (i32.and (local.get $n) (i32.const 3)))
    (block $done (loop $one
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $s (f64.add (f64.mul (local.get $b) (f64.load (local.get $y))) (f64.mul (local.get $a) (f64.load (local.get $x)))))
      (f64.store (local.get $y) (local.get $s))
      (local.set $tail (f64.add (local.get $tail) (f64.mul (local.get $s) (f64.load (local.get $z)))))
      (local.set $x (i32.add (local.get $x) (i32.const 8)))
      (local.set $y (i32.add (local.get $y) (i32.const 8)))
      (local.set $z (i32.add (local.get $z) (i32.const 8)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $one)))
    (f64.add
      (f64.add (local.get $tail) (f64x2.extract_lane 1 (local.get $lo)))
      (f64.add (f64x2.extract_lane 0 (local.get $hi)) (f64x2.extract_lane 1 (local.get $hi)))))

  ;; y ← a − b; returns sᵀy and yᵀy, each summed in two lanes (i mod 2).
  (func (export "diffDots") (param $y i32) (param $a i32) (param $b i32) (param $s i32) (param $n i32) (result f64 f64)
    (local $sy v128) (local $yy v128) (local $v v128) (local $end i32) (local $sy0 f64) (local $yy0 f64) (local $d f64)
    (local.set $end (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done (loop $pair
      (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
      (local.set $v (f64x2.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
      (v128.store (local.get $y) (local.get $v))
      (local.set $sy (f64x2.add (local.get $sy) (f64x2.mul (v128.load (local.get $s)) (local.get $v))))
      (local.set $yy (f64x2.add (local.get $yy) (f64x2.mul (local.get $v) (local.get $v))))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $s (i32.add (local.get $s) (i32.const 16)))
      (br $pair)))
    (local.set $sy0 (f64x2.extract_lane 0 (local.get $sy)))
    (local.set $yy0 (f64x2.extract_lane 0 (local.get $yy)))
    (if (i32.and (local.get $n) (i32.const 1)) (then
      (local.set $d (f64.sub (f64.load (local.get $a)) (f64.load (local.get $b))))
      (f64.store (local.get $y) (local.get $d))
      (local.set $sy0 (f64.add (local.get $sy0) (f64.mul (f64.load (local.get $s)) (local.get $d))))
      (local.set $yy0 (f64.add (local.get $yy0) (f64.mul (local.get $d) (local.get $d))))))
    (f64.add (local.get $sy0) (f64x2.extract_lane 1 (local.get $sy)))
    (f64.add (local.get $yy0) (f64x2.extract_lane 1 (local.get $yy))))

  ;; out ← a·x + b·y (elementwise; out may be x or y)
  (func (export "combine") (param $out i32) (param $a f64) (param $x i32) (param $b f64) (param $y i32) (param $n i32)
    (local $aa v128) (local $bb v128) (local $end i32)
    (local.set $aa (f64x2.splat (local.get $a)))
    (local.set $bb (f64x2.splat (local.get $b)))
    (local.set $end (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done (loop $pair
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (v128.store (local.get $out) (f64x2.add (f64x2.mul (local.get $aa) (v128.load (local.get $x))) (f64x2.mul (local.get $bb) (v128.load (local.get $y)))))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $pair)))
    (if (i32.and (local.get $n) (i32.const 1)) (then
      (f64.store (local.get $out) (f64.add (f64.mul (local.get $a) (f64.load (local.get $x))) (f64.mul (local.get $b) (f64.load (local.get $y))))))))

  ;; max |x[i]|
  (func (export "maxAbs") (param $x i32) (param $n i32) (result f64)
    (local $m v128) (local $end i32) (local $r f64)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done (loop $pair
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $m (f64x2.max (local.get $m) (f64x2.abs (v128.load (local.get $x)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $pair)))
    (local.set $r (f64.max (f64x2.extract_lane 0 (local.get $m)) (f64x2.extract_lane 1 (local.get $m))))
    (if (i32.and (local.get $n) (i32.const 1)) (then
      (local.set $r (f64.max (local.get $r) (f64.abs (f64.load (local.get $x)))))))
    (local.get $r))

  ;; ---- The column objective (../linear.ts): X stored by column, colptr (d + 1 i32), rows (i32)
  ;; and values (f64) per entry; n rows, K classes, per-row arrays class-major (c·n + row).

  ;; z[c·n + row] += Σ_j θ[j·K + c]·X[row, j], column by column, zero θ skipped.
  (func (export "scoreColumns") (param $colptr i32) (param $rows i32) (param $values i32) (param $d i32) (param $k i32) (param $theta i32) (param $z i32) (param $n i32)
    (local $c i32) (local $j i32) (local $p i32) (local $end i32) (local $t f64) (local $zc i32) (local $at i32)
    (block $done (loop $class
      (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $zc (i32.add (local.get $z) (i32.shl (i32.mul (local.get $c) (local.get $n)) (i32.const 3))))
      (local.set $j (i32.const 0))
      (block $done_j (loop $column
        (br_if $done_j (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $t (f64.load (i32.add (local.get $theta) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $k)) (local.get $c)) (i32.const 3)))))
        (if (f64.ne (local.get $t) (f64.const 0)) (then
          (local.set $p (i32.load (i32.add (local.get $colptr) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $end (i32.load offset=4 (i32.add (local.get $colptr) (i32.shl (local.get $j) (i32.const 2)))))
          (block $done_p (loop $entry
            (br_if $done_p (i32.ge_s (local.get $p) (local.get $end)))
            (local.set $at (i32.add (local.get $zc) (i32.shl (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
              (f64.mul (local.get $t) (f64.load (i32.add (local.get $values) (i32.shl (local.get $p) (i32.const 3)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $entry)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $column)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $class))))

  ;; grad[j·K + c] = Σ_row r[c·n + row]·X[row, j] + λ·θ[j·K + c]; returns Σ θ[j·K + c]² (j < d).
  (func (export "gatherColumns") (param $colptr i32) (param $rows i32) (param $values i32) (param $d i32) (param $k i32) (param $r i32) (param $n i32)
    (param $theta i32) (param $lambda f64) (param $grad i32) (result f64)
    (local $c i32) (local $j i32) (local $p i32) (local $end i32) (local $s f64) (local $t f64) (local $rc i32) (local $reg f64) (local $idx i32)
    (block $done (loop $class
      (br_if $done (i32.ge_u (local.get $c) (local.get $k)))
      (local.set $rc (i32.add (local.get $r) (i32.shl (i32.mul (local.get $c) (local.get $n)) (i32.const 3))))
      (local.set $j (i32.const 0))
      (block $done_j (loop $column
        (br_if $done_j (i32.ge_u (local.get $j) (local.get $d)))
        (local.set $s (f64.const 0))
        (local.set $p (i32.load (i32.add (local.get $colptr) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $colptr) (i32.shl (local.get $j) (i32.const 2)))))
        (block $done_p (loop $entry
          (br_if $done_p (i32.ge_s (local.get $p) (local.get $end)))
          (local.set $s (f64.add (local.get $s) (f64.mul
            (f64.load (i32.add (local.get $rc) (i32.shl (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))) (i32.const 3))))
            (f64.load (i32.add (local.get $values) (i32.shl (local.get $p) (i32.const 3)))))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $entry)))
        (local.set $idx (i32.shl (i32.add (i32.mul (local.get $j) (local.get $k)) (local.get $c)) (i32.const 3)))
        (local.set $t (f64.load (i32.add (local.get $theta) (local.get $idx))))
        (f64.store (i32.add (local.get $grad) (local.get $idx)) (f64.add (local.get $s) (f64.mul (local.get $lambda) (local.get $t))))
        (local.set $reg (f64.add (local.get $reg) (f64.mul (local.get $t) (local.get $t))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $column)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $class)))
    (local.get $reg))
)
