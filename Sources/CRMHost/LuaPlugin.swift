import CLua
import CRMCore
