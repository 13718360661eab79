// SPDX-License-Identifier: GPL-2.0
/*
 * What pviommu does for which VMM, for the host's administrator:
 *
 *   /sys/kernel/debug/pviommu/pinned_pages    pages pinned by all contexts
 *   /sys/kernel/debug/pviommu/no_isolated_msi CONFIG_PVIOMMU_FAULT_INJECTION
 *                                             builds only (0600): Y makes
 *                                             every group joining a
 *                                             container lack isolated MSI
 *   /sys/kernel/debug/pviommu/<pid>-<n>/      one directory per context,
 *                                             <pid> the opener's, <n> the
 *                                             context's number
 *       owner      the VMM: pid and command name (as it was when it
 *                  bound the context; the opener's until then)
 *       stats      the counters PVIOMMU_GET_STATS has, and the fault queue
 *       devices    host device -> guest source-id, and its shadow (in
 *                  scalable mode: and the RID_PASID it translates through)
 *       shadows    guest domain key, mappings, devices
 *       fail_nth   CONFIG_PVIOMMU_FAULT_INJECTION builds only (0600):
 *                  write n and the context's nth fallible step from then
 *                  on fails; reads what is left of n, 0 once it fired
 *
 * Root only (0400 files). Every value is printed as a number, except the
 * command name, which the VMM chose and is printed escaped (non-printable
 * characters, spaces and backslashes as octal escapes: one word). A reader takes
 * the context's lock; the directory goes before the context is torn down,
 * and debugfs waits for readers then.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/pci.h>
#include <linux/seq_file.h>

#include "pviommu.h"

static struct dentry *pviommu_debugfs;
static atomic_t pviommu_ctx_ids = ATOMIC_INIT(0);

static int pinned_get(void *data, u64 *val)
{
	*val = pviommu_host_pinned();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pinned_fops, pinned_get, NULL, "%llu\n");

static int owner_show(struct seq_file *m, void *v)
{
	struct pviommu_ctx *ctx = m->private;
	const char *c;

	/* pviommu_ctx_bind() sets both. */
	mutex_lock(&ctx->lock);
	seq_printf(m, "pid %d comm ", ctx->owner_pid);
	/* The VMM chose it: one printable word, the rest as octal. */
	for (c = ctx->owner_comm; *c; c++) {
		if (isgraph(*c) && *c != '\\')
			seq_putc(m, *c);
		else
			seq_printf(m, "\\%03o", (unsigned char)*c);
	}
	seq_putc(m, '\n');
	mutex_unlock(&ctx->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(owner);

static int stats_show(struct seq_file *m, void *v)
{
	struct pviommu_ctx *ctx = m->private;
	const struct pviommu_counters *st = &ctx->engine.stats;

	mutex_lock(&ctx->lock);
	seq_printf(m, "maps %llu\nunmaps %llu\nsyncs %llu\nwalks %llu\n",
		   st->maps, st->unmaps, st->syncs, st->walks);
	seq_printf(m, "tables_read %llu\nfaults %llu\nunmappable %llu\n",
		   st->tables_read, st->faults, st->unmappable);
	seq_printf(m, "reserved %llu\nmappings %llu\npinned_pages %llu\n",
		   st->reserved, ctx->engine.nr_entries, ctx->host.pinned);
	seq_printf(m, "shadows %u\ndevices %u\nfault_queue %u\nfault_overflow %u\n",
		   pviommu_engine_nr_shadows(&ctx->engine), ctx->nr_devices,
		   ctx->nr_faults, ctx->fault_overflow);
	mutex_unlock(&ctx->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static void show_shadow(struct seq_file *m, const struct pviommu_shadow *s)
{
	if (s->pass_through)
		seq_puts(m, "pass-through");
	else
		seq_printf(m, "did %u root %#llx levels %u%s", s->did, s->root,
			   s->levels, s->first_stage ? " first-stage" : "");
}

static int devices_show(struct seq_file *m, void *v)
{
	struct pviommu_ctx *ctx = m->private;
	struct pviommu_sdev *d;
	struct pviommu_hdev *hd;

	mutex_lock(&ctx->lock);
	list_for_each_entry(hd, &ctx->hdevs, ctx_node) {
		seq_printf(m, "%s guest %02x:%02x.%u group %d ",
			   pci_name(hd->pdev), hd->sid >> 8, PCI_SLOT(hd->sid),
			   PCI_FUNC(hd->sid), iommu_group_id(hd->hgroup->group));
		list_for_each_entry(d, &ctx->engine.devs, node) {
			if (d->sid != hd->sid)
				continue;
			if (d->shadow && d->group->cur == d->shadow)
				show_shadow(m, d->shadow);
			else
				seq_puts(m, "blocked");
			if (d->ctx.scalable)
				seq_printf(m, " scalable pasid %u", d->ctx.pasid);
		}
		seq_putc(m, '\n');
	}
	mutex_unlock(&ctx->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(devices);

static int shadows_show(struct seq_file *m, void *v)
{
	struct pviommu_ctx *ctx = m->private;
	struct pviommu_shadow *s;

	mutex_lock(&ctx->lock);
	list_for_each_entry(s, &ctx->engine.shadows, node) {
		show_shadow(m, s);
		seq_printf(m, " mappings %llu devices %u pgsizes %#llx\n",
			   s->nr_entries, s->nr_devs,
			   ctx->engine.ops->pgsizes(ctx->engine.host, s->hdom));
	}
	mutex_unlock(&ctx->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(shadows);

/**
 * pviommu_debugfs_ctx_add() - a directory for a new context
 * @ctx: the context, opened by the current process
 */
void pviommu_debugfs_ctx_add(struct pviommu_ctx *ctx)
{
	char name[32];

	ctx->id = atomic_inc_return(&pviommu_ctx_ids);
	ctx->owner_pid = task_tgid_nr(current);
	get_task_comm(ctx->owner_comm, current);
	snprintf(name, sizeof(name), "%d-%u", ctx->owner_pid, ctx->id);
	ctx->debugfs = debugfs_create_dir(name, pviommu_debugfs);
	debugfs_create_file("owner", 0400, ctx->debugfs, ctx, &owner_fops);
	debugfs_create_file("stats", 0400, ctx->debugfs, ctx, &stats_fops);
	debugfs_create_file("devices", 0400, ctx->debugfs, ctx,
			    &devices_fops);
	debugfs_create_file("shadows", 0400, ctx->debugfs, ctx,
			    &shadows_fops);
	if (IS_ENABLED(CONFIG_PVIOMMU_FAULT_INJECTION))
		debugfs_create_u32("fail_nth", 0600, ctx->debugfs,
				   &ctx->engine.fail_nth);
}

/**
 * pviommu_debugfs_ctx_remove() - remove a context's directory
 * @ctx: the context, not locked by the caller (readers take its lock)
 *
 * Waits for readers of its files to finish.
 */
void pviommu_debugfs_ctx_remove(struct pviommu_ctx *ctx)
{
	debugfs_remove_recursive(ctx->debugfs);
	ctx->debugfs = NULL;
}

/**
 * pviommu_debugfs_init() - create /sys/kernel/debug/pviommu
 */
void pviommu_debugfs_init(void)
{
	pviommu_debugfs = debugfs_create_dir("pviommu", NULL);
	debugfs_create_file_unsafe("pinned_pages", 0444, pviommu_debugfs, NULL,
				   &pinned_fops);
	if (IS_ENABLED(CONFIG_PVIOMMU_FAULT_INJECTION))
		debugfs_create_bool("no_isolated_msi", 0600, pviommu_debugfs,
				    &pviommu_fi_no_isolated_msi);
}

/**
 * pviommu_debugfs_exit() - remove it; no context is left
 */
void pviommu_debugfs_exit(void)
{
	debugfs_remove_recursive(pviommu_debugfs);
}
