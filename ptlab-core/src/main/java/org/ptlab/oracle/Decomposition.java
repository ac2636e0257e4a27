package org.ptlab.oracle;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A linear map counted in pieces: bytes and valid leaf descriptors in all, pieces per mapping size
 * (largest first: 4K granule 1G PUD block, 32M contiguous PMDs, 2M PMD block, 64K contiguous PTEs,
 * 4K PTE; 16K granule 1G contiguous PMDs, 32M PMD block, 2M contiguous PTEs, 16K PTE), table pages per
 * level below the root, and non-zero invalid leaf descriptors ({@code -1}: not recorded, as in the
 * 6.1 files). The text is the capture file {@code decomposition}.
 */
public record Decomposition(long totalBytes, long descriptors, Map<String, Long> pieces, Map<String, Long> tablePages,
        long invalid) {

    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("LINEAR_TOTAL_MAPPED ").append(totalBytes).append(" bytes (").append(mib(totalBytes))
                .append(") in ").append(descriptors).append(" leaf descriptors\n");
        for (Map.Entry<String, Long> e : pieces.entrySet()) {
            long bytes = e.getValue() * org.ptlab.arch.Sizes.parse(e.getKey());
            b.append("LINEAR_").append(e.getKey()).append(' ').append(e.getValue()).append(" pieces = ")
                    .append(mib(bytes)).append('\n');
        }
        b.append("LINEAR_TABLE_PAGES");
        for (Map.Entry<String, Long> e : tablePages.entrySet()) {
            b.append(' ').append(e.getKey()).append('=').append(e.getValue());
        }
        b.append('\n');
        if (invalid >= 0) {
            b.append("LINEAR_INVALID ").append(invalid).append(" leaf descriptors\n");
        }
        return b.toString();
    }

    private static String mib(long bytes) {
        return (bytes & ((1L << 20) - 1)) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    private static final Pattern TOTAL = Pattern.compile("LINEAR_TOTAL_MAPPED (\\d{1,19}) bytes \\([^)]*\\) in (\\d{1,19}) leaf descriptors");
    private static final Pattern PIECES = Pattern.compile("LINEAR_(\\d{1,4}[KMGT]) (\\d{1,19}) pieces = \\d{1,19} [KM]iB");
    private static final Pattern TABLES = Pattern.compile("LINEAR_TABLE_PAGES((?: (?:PGD|P4D|PUD|PMD|PTE)=\\d{1,19})+)");
    private static final Pattern INVALID = Pattern.compile("LINEAR_INVALID (\\d{1,19}) leaf descriptors");

    /** Parse the decomposition file; every line must be one of the four kinds, errors name file and line. */
    public static Decomposition parse(String text, String file) {
        Long total = null;
        Long desc = null;
        long invalid = -1;
        Map<String, Long> pieces = new LinkedHashMap<>();
        Map<String, Long> tables = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            Matcher m;
            try {
                if ((m = TOTAL.matcher(s)).matches()) {
                    total = Long.parseLong(m.group(1));
                    desc = Long.parseLong(m.group(2));
                } else if ((m = PIECES.matcher(s)).matches()) {
                    if (pieces.put(m.group(1), Long.parseLong(m.group(2))) != null) {
                        throw new IllegalArgumentException(where + "LINEAR_" + m.group(1) + " given twice");
                    }
                } else if ((m = TABLES.matcher(s)).matches()) {
                    tables = new LinkedHashMap<>();
                    for (String kv : m.group(1).strip().split(" ")) {
                        String[] p = kv.split("=");
                        if (tables.put(p[0], Long.parseLong(p[1])) != null) {
                            throw new IllegalArgumentException(where + "table level " + p[0] + " given twice");
                        }
                    }
                } else if ((m = INVALID.matcher(s)).matches()) {
                    invalid = Long.parseLong(m.group(1));
                } else {
                    throw new IllegalArgumentException(where + "expected LINEAR_TOTAL_MAPPED, LINEAR_<size> N pieces, "
                            + "LINEAR_TABLE_PAGES or LINEAR_INVALID, found '" + LinearMap.clip(s) + "'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "number out of range");
            }
        }
        if (total == null || tables == null || pieces.isEmpty()) {
            throw new IllegalArgumentException(file + ":1: incomplete: expected LINEAR_TOTAL_MAPPED, LINEAR_<size> lines and LINEAR_TABLE_PAGES");
        }
        return new Decomposition(total, desc, pieces, tables, invalid);
    }
}
