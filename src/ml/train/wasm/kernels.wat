;; The training objectives' inner loops (the losses on a block of rows, and the vector kernels of
;; the dense objective) in WebAssembly, so they run as compiled code from their first call instead
;; of waiting for V8 to optimise JavaScript. Pointers are byte offsets of f64 arrays in the
;; exported memory; m is a count of elements (rows). exp, log and log1p are JavaScript's Math
;; functions, imported. Results are bit for bit those of plain JavaScript loops doing the same
;; arithmetic in the same order: no fused multiply-add, sums in the order written below.
;; Compiled into kernels-wasm.ts by `node scripts/build-wasm.mjs`.
(module
  (import "math" "exp" (func $exp (param f64) (result f64)))
  (import "math" "log" (func $log (param f64) (result f64)))
  (import "math" "log1p" (func $log1p (param f64) (result f64)))
  (memory (export "memory") 1)

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
)
