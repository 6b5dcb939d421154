package dev.vsched.eval;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a running experiment is, from the guest's console (ttyS0: the only thing the host sees before
 * the guest powers off). sched-compare.sh prints one line to /dev/console as each run starts:
 * {@code sched-compare: round R arm A start}. The time left is the runs still to go at the average
 * pace of the runs so far (before the first has finished: the planned run length plus start-up).
 */
public final class Progress {

    /** The console line the guest prints as each run starts. */
    static final Pattern START = Pattern.compile("sched-compare: round (\\d+) arm ([a-z][a-z0-9_-]*) start");

    /** One run start seen on the console. */
    public record Start(int round, String arm) {
    }

    private Progress() {
    }

    /** Every run start in the console text, in order (a line may carry printk or escape noise before it). */
    public static List<Start> starts(String console) {
        List<Start> out = new ArrayList<>();
        Matcher m = START.matcher(console);
        while (m.find()) {
            out.add(new Start(Integer.parseInt(m.group(1)), m.group(2)));
        }
        return out;
    }

    /**
     * One line for the operator, or null before the first run starts.
     *
     * @param totalRuns rounds times arms
     * @param sinceFirstStart time since the first run start was seen
     * @param plannedPerRun the run length plus its start-up, for the estimate before a run has finished
     */
    public static String line(String experiment, List<Start> starts, int rounds, int totalRuns,
            Duration sinceFirstStart, Duration plannedPerRun) {
        if (starts.isEmpty()) {
            return null;
        }
        Start last = starts.getLast();
        int done = starts.size() - 1;
        Duration perRun = done == 0 ? plannedPerRun : sinceFirstStart.dividedBy(done);
        Duration left = perRun.multipliedBy(Math.max(0, totalRuns - done));
        return String.format(Locale.ROOT, "compare: %s round %d/%d arm %s (run %d/%d), about %s left in this"
                + " experiment", experiment, last.round(), rounds, last.arm(), starts.size(), totalRuns, human(left));
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s >= 120 ? (s + 30) / 60 + " min" : s + " s";
    }
}
