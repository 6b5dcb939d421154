package dev.vsched.vm;

/** The host layouts the VM tests impose, in one place. */
final class Layouts {
    private Layouts() {
    }

    /**
     * 4 vCPUs on this 2-CPU host. Host CPU 0: vCPU 0 and vCPU 1, vCPU 1 capped at 30% (so vCPU 0
     * gets the other 70%); host CPU 1: vCPU 2 and 3 stacked, 50% each. QEMU's main loop and helper
     * threads (idle with -nic none) also sit on CPU 0. Imposed time shares 0.70 / 0.30 / 0.50 / 0.50:
     * all known, vCPU 1 lowest, and the stacked pairs are exactly {0,1} and {2,3}.
     */
    static final HostLayout STANDARD = HostLayout.parse("standard", "v0=0; v1=0@30; v2=1; v3=1; rest=0");

    /** A different layout to switch to while the guest runs. */
    static final HostLayout SWAPPED = HostLayout.parse("swapped", "v0=1; v1=1; v2=0@50; v3=0; rest=1");
}
