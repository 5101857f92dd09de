# One sample with 60 labels (string and numeric, keys repeated out of order):
# exercises the merge's label sort beyond its insertion-sort size.
import sys
def varint(x):
    b=bytearray()
    while x>=0x80: b.append((x&0x7f)|0x80); x>>=7
    b.append(x); return bytes(b)
def fld(n,wt,payload):
    if wt==0: return varint(n<<3)+varint(payload)
    return varint(n<<3|2)+varint(len(payload))+payload
strs=[b'',b'samples',b'count',b'main.f',b'bytes']
def S(x):
    if x not in strs: strs.append(x)
    return strs.index(x)
st=fld(1,2,fld(1,0,S(b'samples'))+fld(2,0,S(b'count')))
labs=b''
for i in range(60):
    k=(i*7)%10
    if i%3==0:
        labs+=fld(3,2,fld(1,0,S(b'n%d'%k))+fld(3,0,1000*i+1)+(fld(4,0,S(b'bytes')) if k%2 else b''))
    else:
        labs+=fld(3,2,fld(1,0,S(b'k%d'%k))+fld(2,0,S(b'v%d'%i)))
samp=fld(2,2,fld(1,2,varint(1))+fld(2,2,varint(3))+labs)
loc=fld(4,2,fld(1,0,1)+fld(4,2,fld(1,0,1)))
fn=fld(5,2,fld(1,0,1)+fld(2,0,S(b'main.f')))
tab=b''.join(fld(6,2,s) for s in strs)
sys.stdout.buffer.write(st+samp+loc+fn+tab)
