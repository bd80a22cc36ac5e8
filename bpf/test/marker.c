// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test fixture: no libc, no dynamic loader, so its very first instructions
 * are ours. It creates the file named by argv[1] and exits 0. If the sensor
 * kills it in the exec tracepoint, the file never appears. x86-64 only.
 */
__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call marker_main\n"
	"	hlt\n");

static long syscall3(long number, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return ret;
}

#define SYS_OPEN 2
#define SYS_EXIT 60
#define O_WRONLY_CREAT 0101

__attribute__((used, noreturn)) void marker_main(long *stack)
{
	long argc = stack[0];
	char **argv = (char **)(stack + 1);
	long fd = argc > 1 ? syscall3(SYS_OPEN, (long)argv[1], O_WRONLY_CREAT, 0644) : -1;

	syscall3(SYS_EXIT, fd < 0 ? 1 : 0, 0, 0);
	__builtin_unreachable();
}
