package org.ptlab.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run (a scenario or a replayed trace under one set of variants) produced, in the form the
 * text table, the JSON output and the HTML report share: the configuration, one snapshot after boot
 * and after every step, per-operation maintenance counts, the final linear map as runs of one
 * mapping size, and the first violation. Plain public fields: Jackson writes them as they are.
 */
public final class RunRecord {
    /** The scenario or trace file. */
    public String source = "";
    /** The variants this run adds on top of the source's, e.g. "account=seed000-v7" ("" for none). */
    public String label = "";
    /** Configuration, in display order (kernel, geometry, memory, variants ...). */
    public Map<String, String> config = new LinkedHashMap<>();
    /** DirectMap line names of this geometry, in MapSize order (e.g. DirectMap4k, DirectMap64k, ...). */
    public List<String> sizeNames = new ArrayList<>();
    /** The MapSize name of each entry of sizeNames (PTE, CONT_PTE, ...). */
    public List<String> sizeKinds = new ArrayList<>();
    public long pageSize;
    public long linearStart;
    public long linearEnd;
    /**
     * The unit of the snapshots' x values, the reports' x-axis: "step" (0 = boot), "hours" (modelled
     * time of a study) or "bytes" (a memory size).
     */
    public String xUnit = "step";
    /** Snapshot after boot (step 0) and after each step. */
    public List<Snapshot> steps = new ArrayList<>();
    /** Per kernel operation: its maintenance counts over the whole run after boot. */
    public List<OpCount> ops = new ArrayList<>();
    /** The final linear map: maximal runs of one mapping size and state. */
    public List<MapRun> linearMap = new ArrayList<>();
    /** Whether linearMap stopped early (too many runs to keep). */
    public boolean linearMapTruncated;
    /** Kernel WARN messages (first few) and their total count. */
    public List<String> warnings = new ArrayList<>();
    public long warnCount;
    /** Messages of the driver (trace remapping notes, truncation warnings). */
    public List<String> notes = new ArrayList<>();
    /** Violations found (the run stops at the first); 0 or 1 here. */
    public List<ViolationRecord> violations = new ArrayList<>();
    /** Exit status of the run: 0 all held, 1 a violation or failed expectation. */
    public int status;

    /** The state after one step. Counts are cumulative since boot. */
    public static final class Snapshot {
        public long step;
        /** Where the snapshot sits on the x-axis, in the record's xUnit (the step number unless said otherwise). */
        public double x;
        public String label = "";
        /** DirectMap counters in kB, in sizeNames order (may be negative for a broken variant). */
        public long[] directMapKb;
        /** Page-table pages of the linear map (not counting swapper_pg_dir). */
        public long linearTablePages;
        /** Page-table pages of every owner (swapper, linear map, vmalloc, ...). */
        public long tablePages;
        /** Linear-map tables installed since boot (each split of a block or table-level leaf). */
        public long splits;
        /** Linear-map tables freed since boot (each collapse back to a block frees one). */
        public long collapses;
        /** TLBI instructions since boot, pages covered by VA forms, and whole-TLB forms. */
        public long tlbi;
        public long tlbiPages;
        public long tlbiAll;
        /** DSB ISH and ISB since boot. */
        public long dsb;
        public long isb;
        /** TLB misses measured by a hardware model, or -1 when none was attached. */
        public long tlbMisses = -1;
    }

    /** Maintenance counts of one kernel operation (all its calls, nested operations included). */
    public static final class OpCount {
        public String name;
        public long calls;
        public long tlbi;
        public long tlbiPages;
        public long tlbiAll;
        public long dsbIshst;
        public long dsbIsh;
        public long isb;
        public long tablesAllocated;
        public long tablesFreed;
        public long writes;
    }

    /** [start, end) of the linear map mapped by leaves of one size and state. */
    public static final class MapRun {
        public long start;
        public long end;
        /** MapSize name, or "none" for a hole. */
        public String size;
        /** "rw", "ro", "invalid" (a present-invalid or cleared-valid leaf), or "" for holes. */
        public String state;
    }

    /** The first violation and how the run got there. */
    public static final class ViolationRecord {
        /** Step number (0 = boot) and its description. */
        public long step;
        public String where = "";
        public String invariant = "";
        public String message = "";
        /** The interleaving or step sequence that led here, oldest first (as printed by the runner). */
        public List<String> interleaving = new ArrayList<>();
        /** A ptdump of the range concerned, one line per entry. */
        public List<String> ptdump = new ArrayList<>();
    }

    /** The last snapshot (the state at the end of the run). */
    public Snapshot last() {
        return steps.get(steps.size() - 1);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Pretty-printed JSON of a list of runs (one per variant column). */
    public static String toJson(List<RunRecord> runs) {
        try {
            return JSON.writeValueAsString(runs) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compact JSON (embedded into the HTML report). */
    public static String toCompactJson(Object o) {
        try {
            return new ObjectMapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
