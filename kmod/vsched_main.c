// SPDX-License-Identifier: GPL-2.0
/*
 * vsched.ko - what the vsched BPF programs and agent cannot read by themselves:
 *
 *  - the paravirtual "vCPU preempted" flag (vcpu_is_preempted(), filled in by
 *    KVM/Xen/Hyper-V guest code when the hypervisor shares it), and
 *  - each vCPU's steal time in ns as accounted by the kernel,
 *
 * as two kfuncs for TRACING and STRUCT_OPS BPF programs and as a read-only,
 * root-only sysfs view:
 *
 *   /sys/kernel/vsched/intf_version     VSCHED_INTF_VERSION of this module
 *   /sys/kernel/vsched/pv_preempt       1 if the hypervisor provides the flag
 *   /sys/kernel/vsched/kfuncs           1 if the kfuncs are registered (needs
 *                                       module BTF)
 *   /sys/kernel/vsched/cpuN/online      1 if vCPU N is online
 *   /sys/kernel/vsched/cpuN/preempted   1/0, or "unsupported"
 *   /sys/kernel/vsched/cpuN/steal_ns    steal time of vCPU N in ns
 *
 * One cpuN directory per possible CPU; nothing is written, no state is kept.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/cpumask.h>
#include <linux/kernel_stat.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#ifdef CONFIG_X86
#include <asm/cpufeature.h>
#endif

#include "vsched_intf.h"

static bool vsched_pv_preempt_supported(void)
{
#if defined(CONFIG_X86) && defined(X86_FEATURE_VCPUPREEMPT)
	/* set by paravirt_set_cap() when a hypervisor replaced the native op */
	return boot_cpu_has(X86_FEATURE_VCPUPREEMPT);
#else
	return false;
#endif
}

static int vsched_vcpu_preempted(int cpu)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	if (!vsched_pv_preempt_supported())
		return VSCHED_PV_UNSUPPORTED;
	return vcpu_is_preempted(cpu) ? 1 : 0;
}

static u64 vsched_steal_ns(int cpu)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return 0;
	/* updated by the owning CPU's tick; a torn read is impossible on 64-bit */
	return READ_ONCE(kcpustat_cpu(cpu).cpustat[CPUTIME_STEAL]);
}

/* ---- kfuncs ---- */

#ifdef VSCHED_MODULE_BTF
#ifndef __bpf_kfunc
#define __bpf_kfunc __used noinline
#endif
#ifdef __bpf_kfunc_start_defs
__bpf_kfunc_start_defs();
#else
__diag_push();
__diag_ignore_all("-Wmissing-prototypes", "kfuncs are called from BPF only");
#endif

/**
 * vsched_kf_vcpu_preempted - is @cpu's vCPU preempted by the hypervisor now
 * @cpu: CPU id
 *
 * Return: 1 preempted, 0 running (or halted), VSCHED_PV_UNSUPPORTED when the
 * hypervisor gives no flag, -EINVAL for a bad @cpu.
 */
__bpf_kfunc int vsched_kf_vcpu_preempted(int cpu)
{
	return vsched_vcpu_preempted(cpu);
}

/**
 * vsched_kf_steal_ns - steal time of @cpu in ns as accounted by the kernel
 * @cpu: CPU id
 *
 * Return: the steal time, 0 for a bad @cpu.
 */
__bpf_kfunc u64 vsched_kf_steal_ns(int cpu)
{
	return vsched_steal_ns(cpu);
}

#ifdef __bpf_kfunc_end_defs
__bpf_kfunc_end_defs();
#else
__diag_pop();
#endif

#ifdef BTF_KFUNCS_START
BTF_KFUNCS_START(vsched_kfunc_ids)
#else
BTF_SET8_START(vsched_kfunc_ids)
#endif
BTF_ID_FLAGS(func, vsched_kf_vcpu_preempted)
BTF_ID_FLAGS(func, vsched_kf_steal_ns)
#ifdef BTF_KFUNCS_END
BTF_KFUNCS_END(vsched_kfunc_ids)
#else
BTF_SET8_END(vsched_kfunc_ids)
#endif

static const struct btf_kfunc_id_set vsched_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &vsched_kfunc_ids,
};

static int vsched_register_kfuncs(void)
{
	int err;

	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_TRACING, &vsched_kfunc_set);
	if (!err)
		err = register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS, &vsched_kfunc_set);
	return err;
}
#else
/* built without module BTF (e.g. headers without vmlinux): sysfs view only */
static int vsched_register_kfuncs(void)
{
	return -EOPNOTSUPP;
}
#endif /* VSCHED_MODULE_BTF */

/* ---- sysfs ---- */

static bool vsched_kfuncs_on;
static struct kobject *vsched_root;

struct vsched_cpu_kobj {
	struct kobject kobj;
	int cpu;
};

static struct vsched_cpu_kobj **vsched_cpus;

#define to_vcpu(k) container_of(k, struct vsched_cpu_kobj, kobj)

static ssize_t online_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", cpu_online(to_vcpu(kobj)->cpu) ? 1 : 0);
}

static ssize_t preempted_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	int r = vsched_vcpu_preempted(to_vcpu(kobj)->cpu);

	if (r == VSCHED_PV_UNSUPPORTED)
		return sysfs_emit(buf, "unsupported\n");
	return sysfs_emit(buf, "%d\n", r);
}

static ssize_t steal_ns_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", vsched_steal_ns(to_vcpu(kobj)->cpu));
}

static struct kobj_attribute online_attr = __ATTR(online, 0400, online_show, NULL);
static struct kobj_attribute preempted_attr = __ATTR(preempted, 0400, preempted_show, NULL);
static struct kobj_attribute steal_ns_attr = __ATTR(steal_ns, 0400, steal_ns_show, NULL);

static struct attribute *vsched_cpu_attrs[] = {
	&online_attr.attr,
	&preempted_attr.attr,
	&steal_ns_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vsched_cpu);

static void vsched_cpu_release(struct kobject *kobj)
{
	kfree(to_vcpu(kobj));
}

static struct kobj_type vsched_cpu_ktype = {
	.release = vsched_cpu_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vsched_cpu_groups,
};

static ssize_t intf_version_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", VSCHED_INTF_VERSION);
}

static ssize_t pv_preempt_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", vsched_pv_preempt_supported() ? 1 : 0);
}

static ssize_t kfuncs_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", vsched_kfuncs_on ? 1 : 0);
}

static struct kobj_attribute intf_version_attr = __ATTR(intf_version, 0400, intf_version_show, NULL);
static struct kobj_attribute pv_preempt_attr = __ATTR(pv_preempt, 0400, pv_preempt_show, NULL);
static struct kobj_attribute kfuncs_attr = __ATTR(kfuncs, 0400, kfuncs_show, NULL);

static struct attribute *vsched_root_attrs[] = {
	&intf_version_attr.attr,
	&pv_preempt_attr.attr,
	&kfuncs_attr.attr,
	NULL,
};

static const struct attribute_group vsched_root_group = {
	.attrs = vsched_root_attrs,
};

static void vsched_sysfs_remove(void)
{
	unsigned int cpu;

	if (vsched_cpus) {
		for_each_possible_cpu(cpu)
			if (vsched_cpus[cpu])
				kobject_put(&vsched_cpus[cpu]->kobj);
		kfree(vsched_cpus);
		vsched_cpus = NULL;
	}
	if (vsched_root) {
		sysfs_remove_group(vsched_root, &vsched_root_group);
		kobject_put(vsched_root);
		vsched_root = NULL;
	}
}

static int vsched_sysfs_create(void)
{
	unsigned int cpu;
	int err;

	vsched_root = kobject_create_and_add(VSCHED_KMOD_NAME, kernel_kobj);
	if (!vsched_root)
		return -ENOMEM;
	err = sysfs_create_group(vsched_root, &vsched_root_group);
	if (err) {
		kobject_put(vsched_root);
		vsched_root = NULL;
		return err;
	}
	vsched_cpus = kcalloc(nr_cpu_ids, sizeof(*vsched_cpus), GFP_KERNEL);
	if (!vsched_cpus) {
		vsched_sysfs_remove();
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct vsched_cpu_kobj *v = kzalloc(sizeof(*v), GFP_KERNEL);

		if (!v) {
			vsched_sysfs_remove();
			return -ENOMEM;
		}
		v->cpu = cpu;
		err = kobject_init_and_add(&v->kobj, &vsched_cpu_ktype, vsched_root, "cpu%u", cpu);
		if (err) {
			kobject_put(&v->kobj);
			vsched_sysfs_remove();
			return err;
		}
		vsched_cpus[cpu] = v;
	}
	return 0;
}

static int __init vsched_init(void)
{
	int err = vsched_sysfs_create();

	if (err) {
		pr_err("cannot create %s: %d\n", VSCHED_SYSFS_ROOT, err);
		return err;
	}
	/*
	 * kfunc sets cannot be unregistered; the BPF core drops them with the
	 * module's BTF on unload, and a loaded program holds a module reference.
	 */
	err = vsched_register_kfuncs();
	vsched_kfuncs_on = !err;
	if (vsched_kfuncs_on)
		pr_info("loaded: %u possible vCPUs, pv preempted flag %s, kfuncs registered\n",
			num_possible_cpus(), vsched_pv_preempt_supported() ? "yes" : "no");
	else
		pr_info("loaded: %u possible vCPUs, pv preempted flag %s, no kfuncs (%d: %s)\n",
			num_possible_cpus(), vsched_pv_preempt_supported() ? "yes" : "no", err,
			err == -EOPNOTSUPP ? "built without module BTF" : "registration failed");
	return 0;
}

static void __exit vsched_exit(void)
{
	vsched_sysfs_remove();
	pr_info("unloaded\n");
}

module_init(vsched_init);
module_exit(vsched_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vsched: vCPU preempted flag and steal clock for BPF and user space");
MODULE_AUTHOR("vsched developers");
