// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Process births and deaths, so user space can keep the whole process tree. */
#include "common.bpf.h"

/*
 * tp_btf rather than classic tracepoints: they hand us the task_structs
 * (the child's tells a new process from a new thread) and need no tracefs.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(dl_fork, struct task_struct *parent, struct task_struct *child)
{
	struct dl_fork_event *e;

	/* threads share their process's entry in the tree */
	if (child->pid != child->tgid)
		return 0;
	e = dl_reserve(sizeof(*e));
	if (!e)
		return 0;
	dl_fill_header(&e->hdr, DL_EVENT_FORK, child);
	e->hdr.ppid = parent->tgid;
	dl_submit(e, false);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(dl_exit, struct task_struct *task)
{
	struct dl_exit_event *e;
	__u32 code;

	/* the thread-group leader stands for the process */
	if (task->pid != task->tgid)
		return 0;
	e = dl_reserve(sizeof(*e));
	if (!e)
		return 0;
	dl_fill_header(&e->hdr, DL_EVENT_EXIT, task);
	/* do_exit stores the wait status (exit status << 8 | signal) before this tracepoint */
	code = task->exit_code;
	e->exit_code = (code >> 8) & 0xff;
	e->signal = code & 0x7f;
	dl_submit(e, false);
	return 0;
}
