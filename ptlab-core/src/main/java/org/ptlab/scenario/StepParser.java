package org.ptlab.scenario;

import java.util.List;
import org.ptlab.yaml.YNode;

/** Parses nested step lists (the repeat step's body); what a {@link StepKind} sees of the registry. */
public interface StepParser {
    List<LocatedStep> parseSteps(YNode seq);
}
