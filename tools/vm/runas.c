// SPDX-License-Identifier: GPL-2.0
/*
 * runas UID GID COMMAND [ARG...]: run COMMAND as UID:GID with no
 * supplementary groups, keeping every open file descriptor, as a
 * management layer (libvirt) starts an unprivileged QEMU with the fds it
 * opened for it. The test VM's busybox has no such applet.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID COMMAND [ARG...]\n");
		return 2;
	}
	uid = strtoul(argv[1], NULL, 10);
	gid = strtoul(argv[2], NULL, 10);
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("runas");
		return 1;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
