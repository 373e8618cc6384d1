/* qemu_exec.c — what binfmt_misc does for a foreign binary, for one
 * directory of names: a static program that, called as NAME, executes
 * /qemu-aarch64 /usr/lib/git-core/NAME with the same arguments. The arm64
 * test puts copies of it in a GIT_EXEC_PATH of its own, so that git, run
 * under qemu-user in a chroot, can start its helpers (git-remote-https,
 * git fetch-pack, git index-pack), which qemu-user alone cannot execute.
 * Built by test_k8s_image_arm64.sh with the host compiler, -static. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char path[512];
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int i;

	if (args == NULL ||
	    snprintf(path, sizeof(path), "/usr/lib/git-core/%s", name) >= (int)sizeof(path))
		return 127;
	args[0] = "/qemu-aarch64";
	args[1] = path;
	for (i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	execv(args[0], args);
	perror("qemu_exec: /qemu-aarch64");
	return 127;
}
