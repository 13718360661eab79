# The devices of pviommu's test QEMU, on top of what q35 itself selects:
# configs/devices/x86_64-softmmu/pviommu.mak in the QEMU tree.
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_VFIO_PCI=y
CONFIG_EDU=y
# libvirt's layouts: root ports, PCIe-to-PCI and PCI bridges
CONFIG_PCIE_PORT=y
CONFIG_PCI_BRIDGE=y
CONFIG_PCIE_PCI_BRIDGE=y
