package dev.vsched.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vsched.probers.report.ProbeReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The CLI as a user runs it, with real (short) probes of this machine. */
class ProbeCommandTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cli = Vsched.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void jsonProbeOfThisVmFollowsTheSchema() throws Exception {
        Run r = run("probe", "--json", "--duration", "200ms");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(ProbeReport.SCHEMA, j.get("schema").asText());
        int online = Runtime.getRuntime().availableProcessors();
        assertEquals(online, j.get("vcpus").size());
        for (JsonNode v : j.get("vcpus")) {
            assertTrue(v.get("available").asBoolean(), v.toString());
            int cap = v.get("vcap").get("capacity").asInt();
            assertTrue(cap > 0 && cap <= 1024, v.toString());
            assertTrue(v.get("vact").get("gap_threshold_ns").asLong() > 0);
        }
        if (online > 1) {
            assertEquals(online * (online - 1) / 2, j.get("vtop").get("pairs").size());
        }
        assertTrue(j.get("verdict").size() > 0);
    }

    @Test
    void subsetOfCpusAndProbers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.json");
        Run r = run("probe", "--json", "-d", "100ms", "--cpus", "0", "--probers", "vcap", "-o", file.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("", r.out(), "the report went to the file");
        JsonNode j = new ObjectMapper().readTree(Files.readString(file));
        assertEquals(1, j.get("vcpus").size());
        assertTrue(j.get("vcpus").get(0).get("vact").isNull());
        assertTrue(j.get("vtop").isNull());
    }

    @Test
    void textReportHasTableAndVerdict() {
        Run r = run("probe", "-d", "100ms", "-p", "vcap,vact");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("capacity") && r.out().contains("Verdict"), r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--duration|5x|'5x' is not a duration",
        "--duration|10ms|duration must be between 50ms and 1h",
        "--probers|vcap,foo|unknown prober 'foo'",
        "--cpus|3-1|reversed range '3-1'",
        "--cpus|4095|vCPU 4095 is not online",
        "--pair-window|0ms|pair window must be between 1ms and 10s",
        "--mode|medium|medium",
        "--output|/nonexistent-dir/x.json|/nonexistent-dir is not a directory"})
    void badArgumentsExitTwoNamingTheProblem(String option, String value, String expected) {
        Run r = run("probe", option, value);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void lightModeIsAcceptedInAnyCase() {
        assertEquals(ExitCodes.OK, run("probe", "-d", "100ms", "-p", "vcap", "--mode", "light").code());
        assertEquals(ExitCodes.OK, run("probe", "-d", "100ms", "-p", "vcap", "--mode", "HEAVY").code());
    }

    @Test
    void unknownSubcommandIsUsageError() {
        assertEquals(ExitCodes.USAGE, run("prob").code());
    }

    @Test
    void helpListsExitCodes() {
        Run r = run("probe", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Exit codes:") && r.out().contains("--json"), r.out());
    }
}
