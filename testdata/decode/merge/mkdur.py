# A profile with duration_nanos = INT64_MAX (one sample, one function):
# merged with itself the durations add, wrapping as Go's int64 does.
import sys
def varint(x):
    b=bytearray()
    while x>=0x80: b.append((x&0x7f)|0x80); x>>=7
    b.append(x); return bytes(b)
def fld(n,wt,payload):
    if wt==0: return varint(n<<3)+varint(payload)
    return varint(n<<3|2)+varint(len(payload))+payload
strs=[b'',b'samples',b'count',b'main.f']
st=fld(1,2,fld(1,0,1)+fld(2,0,2))
samp=fld(2,2,fld(1,2,varint(1))+fld(2,2,varint(1)))
loc=fld(4,2,fld(1,0,1)+fld(4,2,fld(1,0,1)))
fn=fld(5,2,fld(1,0,1)+fld(2,0,3))
tab=b''.join(fld(6,2,s) for s in strs)
sys.stdout.buffer.write(st+samp+loc+fn+tab+fld(10,0,(1<<63)-1))
