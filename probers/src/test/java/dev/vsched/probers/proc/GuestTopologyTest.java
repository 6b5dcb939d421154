package dev.vsched.probers.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vsched.probers.sys.CpuSets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class GuestTopologyTest {
    /** Writes a sysfs-like tree: cpu i in package pkg[i], core core[i], siblings sib[i]. */
    public static Path tree(Path root, String online, int[] pkg, int[] core, String[] sib) throws IOException {
        Files.writeString(root.resolve("online"), online + "\n");
        Files.writeString(root.resolve("possible"), "0-" + (pkg.length - 1) + "\n");
        for (int i = 0; i < pkg.length; i++) {
            Path t = Files.createDirectories(root.resolve("cpu" + i).resolve("topology"));
            Files.writeString(t.resolve("physical_package_id"), pkg[i] + "\n");
            Files.writeString(t.resolve("core_id"), core[i] + "\n");
            Files.writeString(t.resolve("thread_siblings_list"), sib[i] + "\n");
        }
        return root;
    }

    @Test
    void readsSmtPairsAndSockets(@TempDir Path dir) throws IOException {
        GuestTopology g = GuestTopology.read(tree(dir, "0-3", new int[] {0, 0, 1, 1}, new int[] {0, 0, 0, 0},
                new String[] {"0-1", "0-1", "2-3", "2-3"}));
        assertEquals(CpuSets.of(0, 1, 2, 3), g.online());
        assertTrue(g.smtSiblings(0, 1));
        assertFalse(g.smtSiblings(1, 2));
        assertTrue(g.samePackage(2, 3));
        assertFalse(g.samePackage(0, 2));
    }

    @Test
    void offlineCpusAreNotRead(@TempDir Path dir) throws IOException {
        GuestTopology g = GuestTopology.read(tree(dir, "0,2", new int[] {0, 0, 0}, new int[] {0, 1, 2},
                new String[] {"0", "1", "2"}));
        assertEquals(2, g.cpus().size());
        assertFalse(g.cpus().containsKey(1));
    }

    @Test
    void malformedFilesAreReportedByPath(@TempDir Path dir) throws IOException {
        tree(dir, "0", new int[] {0}, new int[] {0}, new String[] {"0"});
        Files.writeString(dir.resolve("cpu0/topology/core_id"), "zero\n");
        IOException e = assertThrows(IOException.class, () -> GuestTopology.read(dir));
        assertTrue(e.getMessage().contains("core_id"), e.getMessage());
        Files.writeString(dir.resolve("online"), "0-x\n");
        e = assertThrows(IOException.class, () -> GuestTopology.read(dir));
        assertTrue(e.getMessage().contains("online"), e.getMessage());
    }

    @Test
    void readsThisMachine() throws IOException {
        GuestTopology g = GuestTopology.read();
        assertTrue(g.online().get(0));
        assertEquals(g.online().cardinality(), g.cpus().size());
    }
}
