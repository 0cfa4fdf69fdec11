// CEmberImage: a C shim over libpng and libjpeg-turbo (their errors longjmp, which Swift cannot cross).
#ifndef CEMBER_IMAGE_H
#define CEMBER_IMAGE_H
#include <stddef.h>
#include <stdint.h>
#endif
