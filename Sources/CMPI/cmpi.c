// CMPI: Open MPI resolved at run time (see cmpi.h).
#define _GNU_SOURCE
#include "cmpi.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Where Debian's headers are on the include path, check the ABI assumptions below against the real ones.
#if __has_include(<mpi/mpi.h>)
#include <mpi/mpi.h>
_Static_assert(MPI_THREAD_SERIALIZED == 2, "Open MPI thread level");
_Static_assert(sizeof(MPI_Status) <= 64, "MPI_Status fits the buffer below");
_Static_assert(sizeof(MPI_Request) == sizeof(void *), "MPI_Request is a pointer");
_Static_assert(sizeof(MPI_Comm) == sizeof(void *), "MPI_Comm is a pointer");
#define CMPI_HAVE_HEADER 1
#endif

#define CMPI_THREAD_SERIALIZED 2
#define CMPI_IN_PLACE ((void *)1)
#define CMPI_ERR_UNAVAILABLE (-1)

typedef void *H;  // every Open MPI handle is a pointer to a predefined object
typedef struct { unsigned char bytes[64]; } cmpi_status;

static struct {
    int (*Initialized)(int *);
    int (*Init_thread)(int *, char ***, int, int *);
    int (*Finalized)(int *);
    int (*Finalize)(void);
    int (*Comm_rank)(H, int *);
    int (*Comm_size)(H, int *);
    int (*Comm_set_errhandler)(H, H);
    int (*Iallreduce)(const void *, void *, int, H, H, H, cmpi_request *);
    int (*Ibcast)(void *, int, H, int, H, cmpi_request *);
    int (*Iallgather)(const void *, int, H, void *, int, H, H, cmpi_request *);
    int (*Ireduce_scatter_block)(const void *, void *, int, H, H, H, cmpi_request *);
    int (*Ibarrier)(H, cmpi_request *);
    int (*Allreduce)(const void *, void *, int, H, H, H);
    int (*Bcast)(void *, int, H, int, H);
    int (*Allgather)(const void *, int, H, void *, int, H, H);
    int (*Reduce_scatter_block)(const void *, void *, int, H, H, H);
    int (*Barrier)(H);
    int (*Test)(cmpi_request *, int *, cmpi_status *);
    int (*Wait)(cmpi_request *, cmpi_status *);
    int (*Abort)(H, int);
    int (*Error_string)(int, char *, int *);
    int (*Get_library_version)(char *, int *);
    H comm_world, errors_return;
    H types[8];
    H ops[4];
} M;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static const char *failure = "MPI not available: not loaded";
static char failureBuf[512];

static void load(void) {
    const char *name = getenv("EMBER_MPI_LIBRARY");
    if (!name || !*name) name = "libmpi.so.40";
    // RTLD_GLOBAL: Open MPI's plugins (mca_*.so) resolve libmpi's symbols from the global namespace.
    void *lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        snprintf(failureBuf, sizeof failureBuf, "MPI not available: cannot load %s (%s); install Open MPI "
                 "(apt-get install libopenmpi-dev openmpi-bin) or set EMBER_MPI_LIBRARY", name, dlerror());
        failure = failureBuf;
        return;
    }
#define SYM(field, symbol) do { *(void **)(&M.field) = dlsym(lib, symbol); if (!M.field) { \
        snprintf(failureBuf, sizeof failureBuf, "MPI not available: %s has no symbol %s (Ember needs Open MPI 4.x)", name, symbol); \
        failure = failureBuf; return; } } while (0)
    SYM(Initialized, "MPI_Initialized"); SYM(Init_thread, "MPI_Init_thread");
    SYM(Finalized, "MPI_Finalized"); SYM(Finalize, "MPI_Finalize");
    SYM(Comm_rank, "MPI_Comm_rank"); SYM(Comm_size, "MPI_Comm_size");
    SYM(Comm_set_errhandler, "MPI_Comm_set_errhandler");
    SYM(Iallreduce, "MPI_Iallreduce"); SYM(Ibcast, "MPI_Ibcast"); SYM(Iallgather, "MPI_Iallgather");
    SYM(Ireduce_scatter_block, "MPI_Ireduce_scatter_block"); SYM(Ibarrier, "MPI_Ibarrier");
    SYM(Allreduce, "MPI_Allreduce"); SYM(Bcast, "MPI_Bcast"); SYM(Allgather, "MPI_Allgather");
    SYM(Reduce_scatter_block, "MPI_Reduce_scatter_block"); SYM(Barrier, "MPI_Barrier");
    SYM(Test, "MPI_Test"); SYM(Wait, "MPI_Wait"); SYM(Abort, "MPI_Abort");
    SYM(Error_string, "MPI_Error_string"); SYM(Get_library_version, "MPI_Get_library_version");
    SYM(comm_world, "ompi_mpi_comm_world"); SYM(errors_return, "ompi_mpi_errors_return");
    SYM(types[CMPI_UINT8], "ompi_mpi_uint8_t"); SYM(types[CMPI_INT8], "ompi_mpi_int8_t");
    SYM(types[CMPI_INT16], "ompi_mpi_int16_t"); SYM(types[CMPI_INT32], "ompi_mpi_int32_t");
    SYM(types[CMPI_INT64], "ompi_mpi_int64_t"); SYM(types[CMPI_FLOAT], "ompi_mpi_float");
    SYM(types[CMPI_DOUBLE], "ompi_mpi_double"); SYM(types[CMPI_BYTE], "ompi_mpi_byte");
    SYM(ops[CMPI_SUM], "ompi_mpi_op_sum"); SYM(ops[CMPI_MAX], "ompi_mpi_op_max");
    SYM(ops[CMPI_MIN], "ompi_mpi_op_min"); SYM(ops[CMPI_LOR], "ompi_mpi_op_lor");
#undef SYM
    loaded = 1;
}

int cmpi_load(const char **why) {
    pthread_once(&once, load);
    if (!loaded && why) *why = failure;
    return loaded;
}

#define NEED() do { if (!cmpi_load(NULL)) return CMPI_ERR_UNAVAILABLE; } while (0)

int cmpi_initialized(int *flag) { NEED(); return M.Initialized(flag); }
int cmpi_init(int *provided) { NEED(); return M.Init_thread(NULL, NULL, CMPI_THREAD_SERIALIZED, provided); }
int cmpi_finalized(int *flag) { NEED(); return M.Finalized(flag); }
int cmpi_finalize(void) { NEED(); return M.Finalize(); }
int cmpi_errors_return(void) { NEED(); return M.Comm_set_errhandler(M.comm_world, M.errors_return); }
int cmpi_rank(int *rank) { NEED(); return M.Comm_rank(M.comm_world, rank); }
int cmpi_size(int *size) { NEED(); return M.Comm_size(M.comm_world, size); }

int cmpi_iallreduce(const void *sendbuf, void *recvbuf, int count, cmpi_dtype dtype, cmpi_op op, cmpi_request *req) {
    NEED();
    return M.Iallreduce(sendbuf ? sendbuf : CMPI_IN_PLACE, recvbuf, count, M.types[dtype], M.ops[op], M.comm_world, req);
}
int cmpi_ibcast(void *buf, int count, cmpi_dtype dtype, int root, cmpi_request *req) {
    NEED();
    return M.Ibcast(buf, count, M.types[dtype], root, M.comm_world, req);
}
int cmpi_iallgather(const void *sendbuf, int sendcount, void *recvbuf, int recvcount, cmpi_dtype dtype, cmpi_request *req) {
    NEED();
    return M.Iallgather(sendbuf, sendcount, M.types[dtype], recvbuf, recvcount, M.types[dtype], M.comm_world, req);
}
int cmpi_ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount, cmpi_dtype dtype, cmpi_op op, cmpi_request *req) {
    NEED();
    return M.Ireduce_scatter_block(sendbuf, recvbuf, recvcount, M.types[dtype], M.ops[op], M.comm_world, req);
}
int cmpi_allreduce(const void *sendbuf, void *recvbuf, int count, cmpi_dtype dtype, cmpi_op op) {
    NEED();
    return M.Allreduce(sendbuf ? sendbuf : CMPI_IN_PLACE, recvbuf, count, M.types[dtype], M.ops[op], M.comm_world);
}
int cmpi_bcast(void *buf, int count, cmpi_dtype dtype, int root) {
    NEED();
    return M.Bcast(buf, count, M.types[dtype], root, M.comm_world);
}
int cmpi_allgather(const void *sendbuf, int sendcount, void *recvbuf, int recvcount, cmpi_dtype dtype) {
    NEED();
    return M.Allgather(sendbuf, sendcount, M.types[dtype], recvbuf, recvcount, M.types[dtype], M.comm_world);
}
int cmpi_reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount, cmpi_dtype dtype, cmpi_op op) {
    NEED();
    return M.Reduce_scatter_block(sendbuf, recvbuf, recvcount, M.types[dtype], M.ops[op], M.comm_world);
}
int cmpi_barrier(void) { NEED(); return M.Barrier(M.comm_world); }
int cmpi_ibarrier(cmpi_request *req) { NEED(); return M.Ibarrier(M.comm_world, req); }
int cmpi_test(cmpi_request *req, int *done) { NEED(); cmpi_status s; return M.Test(req, done, &s); }
int cmpi_wait(cmpi_request *req) { NEED(); cmpi_status s; return M.Wait(req, &s); }
int cmpi_abort(int code) { NEED(); return M.Abort(M.comm_world, code); }
void cmpi_error_string(int code, char *buf, int len) {
    if (code == CMPI_ERR_UNAVAILABLE || !cmpi_load(NULL)) { snprintf(buf, (size_t)len, "%s", failure); return; }
    int n = len;
    if (M.Error_string(code, buf, &n) != 0) snprintf(buf, (size_t)len, "MPI error %d", code);
}
int cmpi_library_version(char *buf, int len) {
    NEED();
    int n = len;
    return M.Get_library_version(buf, &n);
}
