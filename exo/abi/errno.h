// SPDX-License-Identifier: MIT
// Error codes of the user/kernel interface. Kernel calls return them negated (-EXO_EINVAL).
// (The ABI generator of the secure-multiplexing work will take this table over.)
#pragma once

#define EXO_OK      0
#define EXO_EINVAL  1 // an argument is out of range or malformed
#define EXO_ENOMEM  2 // no memory (frames, quota or kernel heap)
#define EXO_EEXIST  3 // the target already exists (e.g. a page is already mapped there)
#define EXO_ENOENT  4 // the target does not exist (e.g. nothing mapped there)
#define EXO_EPERM   5 // the capability or policy does not allow it
#define EXO_EBADCAP 6 // the handle names no live capability
#define EXO_EFAULT  7 // a user pointer is invalid
