# The devices of pviommu's test QEMU, on top of what q35 itself selects:
# configs/devices/x86_64-softmmu/pviommu.mak in the QEMU tree.
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_VFIO_PCI=y
CONFIG_EDU=y
