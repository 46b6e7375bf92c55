import * as z from 'zod/mini';

/** Container ID as the reference plugins validate it (pkg/utils.ValidateContainerID). */
export const ContainerId = z
  .string()
  .check(z.regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'is not a valid container ID (letters, digits, "_", ".", "-")'));

/** Linux interface name (IFNAMSIZ 16 with the NUL): what the kernel and pkg/utils accept. */
export const InterfaceName = z
  .string()
  .check(
    z.minLength(1, 'is not a valid interface name (empty)'),
    z.maxLength(15, 'is not a valid interface name (longer than 15 characters)'),
    z.refine((name) => name !== '.' && name !== '..', 'is not a valid interface name'),
    z.refine((name) => !/[/:\s]/.test(name), 'is not a valid interface name (contains "/", ":" or whitespace)'),
  );

/**
 * A network namespace path. Runtimes pass /var/run/netns/<name> or /proc/<pid>/ns/net; we take
 * any absolute path without "..", NUL or control characters, since it is handed to nsenter.
 */
export const NetnsPath = z
  .string()
  .check(
    z.refine((path) => path.startsWith('/'), 'is not an absolute netns path'),
    z.refine((path) => !path.split('/').includes('..'), 'must not contain ".."'),
    z.refine((path) => !/[\u0000-\u001f]/.test(path), 'must not contain control characters'),
  );

/** Kubernetes object name (DNS-1123 subdomain), used for pools and pod names. */
export const ObjectName = z
  .string()
  .check(
    z.maxLength(253, 'is longer than 253 characters'),
    z.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'is not a valid Kubernetes object name'),
  );
