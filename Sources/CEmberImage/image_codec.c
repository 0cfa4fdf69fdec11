#include "CEmberImage.h"
