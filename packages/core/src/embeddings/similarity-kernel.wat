;; The inner loop of vector search: int8 dot products of one query with many stored vectors,
;; with WebAssembly SIMD (Node's V8 lowers these to SSE/AVX instructions).
;;
;; Vectors are quantised to [-127, 127] (never -128), each with the float value of its int8 step
;; (its scale), and padded with zeros to a multiple of 32 bytes (`stride`). The query comes
;; widened to i16, once per scan, so that each 8 bytes of a row take one sign-extending load and
;; one `i32x4.dot_i16x8_s` (multiply, then add adjacent pairs into i32): fewer instructions per
;; row than multiplying int8 by int8 and widening the products, and instructions, not memory,
;; bound the scan (the kernel alone at 160,000 rows: 4.5-4.9 -> 3.5 ms). A lane's pair sums to at
;; most 2 * 127 * 127 = 32258, far inside i32.
;;
;; Regenerate similarity-kernel-bytes.ts after editing: `pnpm --filter @episodic/core build:kernel`.
(module
  (memory (export "memory") 1)

  ;; For each of `count` row numbers at `rows` (i32), stores the approximate similarity of the
  ;; int8 row `matrix + row * stride` with the i16 vector at `query` (2 * stride bytes) as an f32
  ;; at `out`, in the same order: their dot product times the row's scale (f32 at
  ;; `scales + row * 4`) times `queryScale`.
  (func (export "scoreI8")
    (param $matrix i32) (param $query i32) (param $rows i32) (param $count i32)
    (param $stride i32) (param $scales i32) (param $queryScale f32) (param $out i32)
    (local $end i32) (local $index i32) (local $row i32) (local $stop i32) (local $q i32)
    (local $a v128) (local $b v128)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $nextRow
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        (local.set $index (i32.load (local.get $rows)))
        (local.set $row (i32.add (local.get $matrix) (i32.mul (local.get $index) (local.get $stride))))
        (local.set $stop (i32.add (local.get $row) (local.get $stride)))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $b (v128.const i32x4 0 0 0 0))
        (local.set $q (local.get $query))
        (loop $next32
          (local.set $a
            (i32x4.add (local.get $a)
              (i32x4.add
                (i32x4.dot_i16x8_s (v128.load8x8_s (local.get $row)) (v128.load (local.get $q)))
                (i32x4.dot_i16x8_s
                  (v128.load8x8_s offset=8 (local.get $row)) (v128.load offset=16 (local.get $q))))))
          (local.set $b
            (i32x4.add (local.get $b)
              (i32x4.add
                (i32x4.dot_i16x8_s
                  (v128.load8x8_s offset=16 (local.get $row)) (v128.load offset=32 (local.get $q)))
                (i32x4.dot_i16x8_s
                  (v128.load8x8_s offset=24 (local.get $row)) (v128.load offset=48 (local.get $q))))))
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (local.set $row (i32.add (local.get $row) (i32.const 32)))
          (br_if $next32 (i32.lt_u (local.get $row) (local.get $stop))))
        (local.set $a (i32x4.add (local.get $a) (local.get $b)))
        (f32.store (local.get $out)
          (f32.mul
            (f32.mul
              (f32.convert_i32_s
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $a)) (i32x4.extract_lane 1 (local.get $a)))
                  (i32.add (i32x4.extract_lane 2 (local.get $a)) (i32x4.extract_lane 3 (local.get $a)))))
              (f32.load (i32.add (local.get $scales) (i32.shl (local.get $index) (i32.const 2)))))
            (local.get $queryScale)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 4)))
        (br $nextRow))))
)
