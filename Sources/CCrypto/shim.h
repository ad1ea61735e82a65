#ifndef CRM_CRYPTO_SHIM_H
#define CRM_CRYPTO_SHIM_H

#include <openssl/sha.h>

#endif
