;; The inner loop of vector search: int8 dot products of one query with many stored vectors,
;; 32 bytes per step with WebAssembly SIMD (Node's V8 lowers these to SSE/AVX instructions).
;;
;; Vectors are quantised to [-127, 127] (never -128) and padded with zeros to a multiple of
;; 32 bytes (`stride`). Two products of that range sum to at most 2 * 127 * 127 = 32258, so the
;; i16 lanes below cannot overflow before they are widened to i32.
;;
;; Regenerate similarity-kernel-bytes.ts after editing: `pnpm --filter @episodic/core build:kernel`.
(module
  (memory (export "memory") 1)

  ;; For each of `count` row numbers at `rows` (i32), stores the dot product of row
  ;; `matrix + row * stride` with `query` as an i32 at `out`, in the same order.
  (func (export "dotI8")
    (param $matrix i32) (param $query i32) (param $rows i32) (param $count i32)
    (param $stride i32) (param $out i32)
    (local $end i32) (local $row i32) (local $d i32)
    (local $low v128) (local $high v128)
    (local $v v128) (local $w v128) (local $v2 v128) (local $w2 v128)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $nextRow
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        (local.set $row
          (i32.add (local.get $matrix) (i32.mul (i32.load (local.get $rows)) (local.get $stride))))
        (local.set $low (v128.const i32x4 0 0 0 0))
        (local.set $high (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $next32
          (local.set $v (v128.load (i32.add (local.get $row) (local.get $d))))
          (local.set $w (v128.load (i32.add (local.get $query) (local.get $d))))
          (local.set $v2 (v128.load offset=16 (i32.add (local.get $row) (local.get $d))))
          (local.set $w2 (v128.load offset=16 (i32.add (local.get $query) (local.get $d))))
          (local.set $low
            (i32x4.add (local.get $low)
              (i32x4.extadd_pairwise_i16x8_s
                (i16x8.add
                  (i16x8.extmul_low_i8x16_s (local.get $v) (local.get $w))
                  (i16x8.extmul_low_i8x16_s (local.get $v2) (local.get $w2))))))
          (local.set $high
            (i32x4.add (local.get $high)
              (i32x4.extadd_pairwise_i16x8_s
                (i16x8.add
                  (i16x8.extmul_high_i8x16_s (local.get $v) (local.get $w))
                  (i16x8.extmul_high_i8x16_s (local.get $v2) (local.get $w2))))))
          (local.set $d (i32.add (local.get $d) (i32.const 32)))
          (br_if $next32 (i32.lt_u (local.get $d) (local.get $stride))))
        (local.set $low (i32x4.add (local.get $low) (local.get $high)))
        (i32.store (local.get $out)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $low)) (i32x4.extract_lane 1 (local.get $low)))
            (i32.add (i32x4.extract_lane 2 (local.get $low)) (i32x4.extract_lane 3 (local.get $low)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 4)))
        (br $nextRow))))
)
