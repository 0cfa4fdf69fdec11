// CMPI: the few Open MPI entry points Ember needs, loaded at run time with dlopen.
//
// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are C macros that expand to the addresses of
// global objects (`&ompi_mpi_comm_world`), which Swift cannot import. This shim resolves those objects and the
// functions with dlsym from `libmpi.so.40` (or `EMBER_MPI_LIBRARY`), so the package neither links nor includes
// MPI at build time: where MPI is absent everything builds, and `cmpi_load` reports why MPI is unavailable.
// The ABI declared here is Open MPI's (4.x, libmpi.so.40); MPICH's integer handles are not supported.
#ifndef CMPI_H
#define CMPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Element types the shim can name (mapped to Open MPI's predefined datatypes).
typedef enum {
    CMPI_UINT8 = 0, CMPI_INT8, CMPI_INT16, CMPI_INT32, CMPI_INT64, CMPI_FLOAT, CMPI_DOUBLE, CMPI_BYTE
} cmpi_dtype;

/// Reduction operators.
typedef enum { CMPI_SUM = 0, CMPI_MAX, CMPI_MIN, CMPI_LOR } cmpi_op;

/// An outstanding non-blocking operation (an MPI_Request).
typedef void *cmpi_request;

/// Loads the MPI library once (thread-safe). Returns 1 when MPI is usable; otherwise 0 and, when `why` is
/// non-null, a static message saying what was missing.
int cmpi_load(const char **why);

/// MPI_Initialized / MPI_Init_thread(MPI_THREAD_SERIALIZED) / MPI_Finalize. Return an MPI error code (0 = success).
int cmpi_initialized(int *flag);
int cmpi_init(int *providedThreadLevel);
int cmpi_finalized(int *flag);
int cmpi_finalize(void);
/// MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN): errors come back as codes instead of aborting.
int cmpi_errors_return(void);

/// Rank and size in MPI_COMM_WORLD.
int cmpi_rank(int *rank);
int cmpi_size(int *size);

/// Non-blocking collectives on MPI_COMM_WORLD (MPI_Iallreduce with MPI_IN_PLACE when `sendbuf` is NULL, ...).
int cmpi_iallreduce(const void *sendbuf, void *recvbuf, int count, cmpi_dtype dtype, cmpi_op op, cmpi_request *req);
int cmpi_ibcast(void *buf, int count, cmpi_dtype dtype, int root, cmpi_request *req);
int cmpi_iallgather(const void *sendbuf, int sendcount, void *recvbuf, int recvcount, cmpi_dtype dtype, cmpi_request *req);
int cmpi_ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount, cmpi_dtype dtype, cmpi_op op, cmpi_request *req);
int cmpi_ibarrier(cmpi_request *req);
/// The blocking forms (MPI_Allreduce, MPI_Bcast, MPI_Allgather, MPI_Reduce_scatter_block, MPI_Barrier): Open MPI's
/// tuned algorithms, faster than the non-blocking schedules (libnbc) for a lone collective.
int cmpi_allreduce(const void *sendbuf, void *recvbuf, int count, cmpi_dtype dtype, cmpi_op op);
int cmpi_bcast(void *buf, int count, cmpi_dtype dtype, int root);
int cmpi_allgather(const void *sendbuf, int sendcount, void *recvbuf, int recvcount, cmpi_dtype dtype);
int cmpi_reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount, cmpi_dtype dtype, cmpi_op op);
int cmpi_barrier(void);
/// MPI_Test: sets `*done` to 1 when the request completed (and frees it).
int cmpi_test(cmpi_request *req, int *done);
/// MPI_Wait.
int cmpi_wait(cmpi_request *req);

/// MPI_Abort(MPI_COMM_WORLD, code).
int cmpi_abort(int code);
/// MPI_Error_string into `buf` (at least 512 bytes).
void cmpi_error_string(int code, char *buf, int len);
/// MPI_Get_library_version into `buf` (at least 256 bytes).
int cmpi_library_version(char *buf, int len);

#ifdef __cplusplus
}
#endif
#endif
