// The simulator tests' jail root filesystems: runj's own `demo rootfs` builder (host programs plus their libraries).
export { buildRootfs, type RootfsOptions, type RootfsUser } from '../../src/demo/rootfs.js'
