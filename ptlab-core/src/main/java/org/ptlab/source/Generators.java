package org.ptlab.source;

import java.util.SplittableRandom;
import org.ptlab.hw.HwModel;

/**
 * Synthetic access streams, as offsets into a region of a given size (the replay adds the region's
 * base VA): the lat_mem_rd pointer chase (plain stride, or {@code -t} page-thrashing order), uniform
 * and Zipf random accesses, and a sequential copy. Each stream is endless or bounded by a count;
 * the caller decides how many accesses to replay. Fixed seeds make every stream reproducible.
 */
public final class Generators {
    private Generators() {}

    /**
     * lmbench's lat_mem_rd chain. Without thrash: offsets 0, stride, 2*stride, ... wrapping at size.
     * With thrash ({@code -t}, {@code thrash_initialize}): the size is cut into pages of
     * {@code pageSize} (the system page size lat_mem_rd sees, 4K whatever the mapping), the pages
     * are visited in one random permutation, one word per page, and each pass over all pages moves
     * every page to its next word (word order: bit-reversed line indices times the stride), so
     * consecutive loads always touch different pages.
     */
    public static AccessTrace latMemRd(long size, long stride, boolean thrash, long pageSize, long seed, long count) {
        if (size <= 0 || stride <= 0 || stride > size) {
            throw new IllegalArgumentException("lat_mem_rd: size " + size + " and stride " + stride + ": expected 0 < stride <= size");
        }
        if (!thrash || size % pageSize != 0 || stride > pageSize) {
            return new Bounded(count) {
                long off;

                @Override
                long one(byte[] type, int i) {
                    long o = off;
                    off += stride;
                    if (off >= size) {
                        off = 0;
                    }
                    return o;
                }
            };
        }
        long np = size / pageSize;
        if (np > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("lat_mem_rd: too many pages");
        }
        int npages = (int) np;
        int[] perm = new int[npages];
        for (int i = 0; i < npages; i++) {
            perm[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = npages - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int nwords = (int) (pageSize / stride);
        long[] words = new long[nwords];
        int bits = 31 - Integer.numberOfLeadingZeros(Math.max(1, nwords));
        for (int i = 0; i < nwords; i++) {
            words[i] = (Integer.reverse(i) >>> (32 - Math.max(1, bits))) % nwords * stride;
            if (bits == 0) {
                words[i] = 0;
            }
        }
        return new Bounded(count) {
            int page;
            int round;

            @Override
            long one(byte[] type, int i) {
                long o = (long) perm[page] * pageSize + words[(page + round) % nwords];
                if (++page == npages) {
                    page = 0;
                    round++;
                    if (round == nwords) {
                        round = 0;
                    }
                }
                return o;
            }
        };
    }

    /** Uniform random loads (a store with probability storeFraction) at align-aligned offsets. */
    public static AccessTrace uniform(long size, long align, double storeFraction, long seed, long count) {
        check(size, align);
        long slots = size / align;
        SplittableRandom r = new SplittableRandom(seed);
        return new Bounded(count) {
            @Override
            long one(byte[] type, int i) {
                type[i] = r.nextDouble() < storeFraction ? HwModel.STORE : HwModel.LOAD;
                return r.nextLong(slots) * align;
            }
        };
    }

    /**
     * Zipf-distributed accesses over the pages of the region (rank 1 the most popular, exponent s),
     * a uniform offset within the chosen page. Ranks are scattered over the region by a fixed
     * permutation-free hash so popular pages are not adjacent. Sampling: rejection-inversion
     * (Hörmann and Derflinger 1996), O(1) per sample with no table.
     */
    public static AccessTrace zipf(long size, long pageSize, double s, double storeFraction, long seed, long count) {
        check(size, pageSize);
        if (!(s > 0) || s > 10) {
            throw new IllegalArgumentException("zipf exponent " + s + ": expected 0 < s <= 10");
        }
        long pages = size / pageSize;
        ZipfSampler z = new ZipfSampler(pages, s);
        SplittableRandom r = new SplittableRandom(seed);
        long mult = 0x9E3779B97F4A7C15L | 1;
        boolean pow2 = Long.bitCount(pages) == 1;
        return new Bounded(count) {
            @Override
            long one(byte[] type, int i) {
                type[i] = r.nextDouble() < storeFraction ? HwModel.STORE : HwModel.LOAD;
                long rank = z.sample(r) - 1;
                long page = pow2 ? (rank * mult) & (pages - 1) : Math.floorMod(rank * mult, pages);
                return page * pageSize + (r.nextLong(pageSize) & -8L);
            }
        };
    }

    /** memcpy of the first half of the region to the second half, in chunk-byte loads and stores. */
    public static AccessTrace copy(long size, long chunk, long count) {
        check(size, chunk);
        long half = size / 2 / chunk * chunk;
        if (half == 0) {
            throw new IllegalArgumentException("copy: region too small for chunk " + chunk);
        }
        return new Bounded(count) {
            long off;
            boolean store;

            @Override
            long one(byte[] type, int i) {
                long o;
                if (!store) {
                    type[i] = HwModel.LOAD;
                    o = off;
                } else {
                    type[i] = HwModel.STORE;
                    o = half + off;
                    off += chunk;
                    if (off >= half) {
                        off = 0;
                    }
                }
                store = !store;
                return o;
            }
        };
    }

    private static void check(long size, long align) {
        if (align <= 0 || size < align) {
            throw new IllegalArgumentException("region size " + size + " and alignment " + align + ": expected 0 < alignment <= size");
        }
    }

    /** Count-bounded stream (count < 0: endless). Loads unless one() sets the type. */
    abstract static class Bounded implements AccessTrace {
        private long left;

        Bounded(long count) {
            this.left = count < 0 ? Long.MAX_VALUE : count;
        }

        abstract long one(byte[] type, int i);

        @Override
        public int next(long[] va, byte[] type, int max) {
            int n = (int) Math.min(max, left);
            for (int i = 0; i < n; i++) {
                type[i] = HwModel.LOAD;
                va[i] = one(type, i);
            }
            left -= n;
            return n;
        }
    }

    /** Rejection-inversion Zipf sampler over 1..n with exponent s. */
    static final class ZipfSampler {
        private final long n;
        private final double s;
        private final double hX1;
        private final double hN;
        private final double sConst;

        ZipfSampler(long n, double s) {
            this.n = n;
            this.s = s;
            this.hX1 = h(1.5) - 1.0;
            this.hN = h(n + 0.5);
            this.sConst = 2.0 - hInv(h(2.5) - Math.pow(2, -s));
        }

        long sample(SplittableRandom r) {
            for (;;) {
                double u = hN + r.nextDouble() * (hX1 - hN);
                double x = hInv(u);
                long k = (long) (x + 0.5);
                if (k < 1) {
                    k = 1;
                } else if (k > n) {
                    k = n;
                }
                if (k - x <= sConst || u >= h(k + 0.5) - Math.pow(k, -s)) {
                    return k;
                }
            }
        }

        private double h(double x) {
            double l = Math.log(x);
            return helper2((1 - s) * l) * l;
        }

        private double hInv(double x) {
            double t = x * (1 - s);
            if (t < -1) {
                t = -1;
            }
            return Math.exp(helper1(t) * x);
        }

        /** log1p(x)/x, stable near 0. */
        private static double helper1(double x) {
            return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
        }

        /** expm1(x)/x, stable near 0. */
        private static double helper2(double x) {
            return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
        }
    }
}
