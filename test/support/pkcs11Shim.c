/*
 * A PKCS#11 library for the tests that sits in front of a real one (BYOK_SHIM_MODULE) and forwards every call,
 * with three test controls read from the environment of the process that loads it:
 *   BYOK_SHIM_LOG              append "C_Login <user type> <rv>" for each C_Login that reached the real token:
 *                              what the lockout tests count (the provider host runs as a child of the Pulumi CLI);
 *   BYOK_SHIM_TOKEN_FLAGS      flags OR-ed into C_GetTokenInfo's (CKF_USER_PIN_FINAL_TRY, ...), which the
 *                              software tokens never set;
 *   BYOK_SHIM_HIDE_MECHANISMS  mechanism numbers (comma-separated, 0x… allowed) left out of C_GetMechanismList,
 *                              to make a real token look like one that lacks them.
 * Everything else is the real token's own behaviour.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pkcs11.h"

static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST shim;

static CK_RV shim_login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
    CK_RV rv = real->C_Login(session, user, pin, pin_len);
    const char *log = getenv("BYOK_SHIM_LOG");
    if (log && *log) {
        char line[64];
        int n = snprintf(line, sizeof line, "C_Login %lu 0x%lx\n", (unsigned long)user, (unsigned long)rv);
        int fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0600);
        if (fd >= 0) {
            if (write(fd, line, (size_t)n) < 0) { /* the count is then short, and the test fails */ }
            close(fd);
        }
    }
    return rv;
}

static CK_RV shim_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
    CK_RV rv = real->C_GetTokenInfo(slot, info);
    const char *flags = getenv("BYOK_SHIM_TOKEN_FLAGS");
    if (rv == CKR_OK && flags && *flags) info->flags |= (CK_FLAGS)strtoul(flags, NULL, 0);
    return rv;
}

static int hidden(CK_MECHANISM_TYPE mechanism) {
    const char *list = getenv("BYOK_SHIM_HIDE_MECHANISMS");
    while (list && *list) {
        char *end;
        unsigned long value = strtoul(list, &end, 0);
        if (end == list) return 0;
        if (value == mechanism) return 1;
        list = *end == ',' ? end + 1 : end;
    }
    return 0;
}

static CK_RV shim_mechanism_list(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
    CK_ULONG all = 0, kept = 0;
    CK_RV rv = real->C_GetMechanismList(slot, NULL, &all);
    if (rv != CKR_OK) return rv;
    CK_MECHANISM_TYPE_PTR mechanisms = calloc(all ? all : 1, sizeof(CK_MECHANISM_TYPE));
    if (!mechanisms) return CKR_HOST_MEMORY;
    rv = real->C_GetMechanismList(slot, mechanisms, &all);
    for (CK_ULONG i = 0; rv == CKR_OK && i < all; i++)
        if (!hidden(mechanisms[i])) mechanisms[kept++] = mechanisms[i];
    if (rv == CKR_OK && list) {
        if (*count < kept) rv = CKR_BUFFER_TOO_SMALL;
        else memcpy(list, mechanisms, kept * sizeof(CK_MECHANISM_TYPE));
    }
    if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL) *count = kept;
    free(mechanisms);
    return rv;
}

static CK_RV shim_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE mechanism, CK_MECHANISM_INFO_PTR info) {
    return hidden(mechanism) ? CKR_MECHANISM_INVALID : real->C_GetMechanismInfo(slot, mechanism, info);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
    if (!list) return CKR_ARGUMENTS_BAD;
    if (!real) {
        const char *path = getenv("BYOK_SHIM_MODULE");
        void *module = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
        CK_C_GetFunctionList get = module ? (CK_C_GetFunctionList)dlsym(module, "C_GetFunctionList") : NULL;
        if (!get || get(&real) != CKR_OK) return CKR_GENERAL_ERROR;
        shim = *real;
        shim.C_GetFunctionList = C_GetFunctionList;
        shim.C_Login = shim_login;
        shim.C_GetTokenInfo = shim_token_info;
        shim.C_GetMechanismList = shim_mechanism_list;
        shim.C_GetMechanismInfo = shim_mechanism_info;
    }
    *list = &shim;
    return CKR_OK;
}
