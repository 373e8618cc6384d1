# aarch64-linux-gnu.cmake — cross-compile manifold for linux/arm64 on a
# Debian amd64 machine with Debian's cross compiler (gcc-aarch64-linux-gnu)
# and the :arm64 multiarch -dev packages (scripts/install-deps --cross):
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#         -DMANIFOLD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release
#
# pkg-config reads only the arm64 .pc files: PKG_CONFIG_LIBDIR, unless the
# caller set it (scripts/image prepends the directory of libgit2's, which
# Debian 12 cannot install next to the amd64 one).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
if(NOT DEFINED ENV{PKG_CONFIG_LIBDIR})
  set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
endif()
