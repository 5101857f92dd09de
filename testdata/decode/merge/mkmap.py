# A profile with one mapping at START (size 0x2000, file "a.out") and one
# address-only location at START+0x1010: merging two of them with different
# starts shifts addresses by the difference of the starts (pprof's Merge).
import sys
def varint(x):
    b=bytearray()
    while x>=0x80: b.append((x&0x7f)|0x80); x>>=7
    b.append(x); return bytes(b)
def fld(n,wt,payload):
    if wt==0: return varint(n<<3)+varint(payload)
    return varint(n<<3|2)+varint(len(payload))+payload
start=int(sys.argv[1],0)
strs=[b'',b'samples',b'count',b'a.out']
st=fld(1,2,fld(1,0,1)+fld(2,0,2))
samp=fld(2,2,fld(1,2,varint(1))+fld(2,2,varint(1)))
mp=fld(3,2,fld(1,0,1)+fld(2,0,start)+fld(3,0,start+0x2000)+fld(5,0,3))
loc=fld(4,2,fld(1,0,1)+fld(2,0,1)+fld(3,0,start+0x1010))
tab=b''.join(fld(6,2,s) for s in strs)
sys.stdout.buffer.write(st+samp+mp+loc+tab)
