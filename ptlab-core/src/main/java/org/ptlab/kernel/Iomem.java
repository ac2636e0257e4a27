package org.ptlab.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a memory layout from the text of /proc/iomem: top-level "System RAM" lines are the
 * memory (memblock memory without NOMAP, which /proc/iomem shows as top-level "reserved"); a
 * "Kernel code" child of System RAM is the image's [_stext, __init_begin); "reserved" children are
 * reserved but mapped ranges. Every malformed line is an error naming the file and line.
 */
public final class Iomem {
    private Iomem() {}

    private static final Pattern LINE = Pattern.compile("^( *)([0-9a-fA-F]{1,16})-([0-9a-fA-F]{1,16}) : (.*)$");

    /** An input error with file and line. */
    public static final class ParseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public ParseException(String file, int line, String what) {
            super(file + ":" + line + ": " + what);
        }
    }

    public static MemoryLayout parse(String text, String file) {
        MemoryLayout m = new MemoryLayout();
        int lineNo = 0;
        boolean inRam = false;
        boolean sawImage = false;
        boolean allZero = true;
        int lines = 0;
        try (BufferedReader r = new BufferedReader(new StringReader(text))) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                lines++;
                Matcher mt = LINE.matcher(line);
                if (!mt.matches()) {
                    throw new ParseException(file, lineNo, "expected 'START-END : NAME' with hexadecimal START and END, got '" + abbreviate(line) + "'");
                }
                int indent = mt.group(1).length();
                long start = Long.parseUnsignedLong(mt.group(2), 16);
                long endIncl = Long.parseUnsignedLong(mt.group(3), 16);
                String name = mt.group(4).trim();
                if (start != 0 || endIncl != 0) {
                    allZero = false;
                }
                if (Long.compareUnsigned(endIncl, start) < 0) {
                    throw new ParseException(file, lineNo, String.format("range end 0x%x is below its start 0x%x", endIncl, start));
                }
                if (endIncl == -1L) {
                    throw new ParseException(file, lineNo, "range end reaches the top of the address space");
                }
                long end = endIncl + 1;
                if (indent == 0) {
                    inRam = name.equals("System RAM");
                    if (inRam) {
                        for (MemoryLayout.Range prev : m.memory()) {
                            if (start < prev.end() && end > prev.start()) {
                                throw new ParseException(file, lineNo, "System RAM range " + new MemoryLayout.Range(start, end)
                                        + " overlaps " + prev);
                            }
                        }
                        m.addMemory(start, end);
                    }
                } else if (inRam && indent == 2) {
                    if (name.equals("Kernel code") && !sawImage) {
                        m.kernelImage(start, end);
                        sawImage = true;
                    } else if (name.equals("Kernel data") && m.initEnd() == 0) {
                        m.kernelData(start, end);
                    } else if (name.equals("reserved")) {
                        m.addReserved(start, end);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (lines == 0) {
            throw new ParseException(file, 1, "empty file: expected the text of /proc/iomem");
        }
        if (allZero) {
            throw new ParseException(file, 1, "all addresses are zero: read /proc/iomem as root");
        }
        if (m.memory().isEmpty()) {
            throw new ParseException(file, lineNo, "no top-level 'System RAM' line: expected the text of /proc/iomem");
        }
        if (!sawImage) {
            m.defaultImage();
        }
        return m;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
